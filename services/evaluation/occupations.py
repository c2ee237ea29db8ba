"""Entry-level occupations: titles, the skills they need, the certifications they ask for.

``core`` skills are what a vacancy may make must-have; ``extra`` ones only ever appear as
nice-to-have. ``certs`` lists alternative requirement sets with their probability: a forklift
vacancy asks for a counterbalance OR a reach-truck licence, never "a forklift licence".
``holds`` is how likely a worker of that occupation is to hold each certification.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["HOURS_CLIENT", "HOURS_VACANCY", "OCCUPATIONS", "Occupation"]


@dataclass(frozen=True)
class Occupation:
    id: str
    titles: tuple[str, ...]
    core: tuple[str, ...]
    extra: tuple[str, ...] = ()
    # (probability, certifications required together), tried in order.
    certs: tuple[tuple[float, tuple[str, ...]], ...] = ()
    holds: dict[str, float] = field(default_factory=dict)
    remote_ok: bool = False


OCCUPATIONS: tuple[Occupation, ...] = (
    Occupation("retail_assistant",
               ("Retail Assistant", "Sales Assistant", "Customer Assistant",
                "Checkout Operator", "Store Colleague"),
               ("cash_handling", "customer_service", "stock_replenishment"),
               ("stock_control",), (), {"cat_b": 0.4}),
    Occupation("warehouse_operative",
               ("Warehouse Operative", "Picker Packer", "Warehouse Picker",
                "Goods In Operative"),
               ("picking_packing", "rf_scanning", "goods_in", "loading_unloading"),
               ("manual_handling", "stock_control"), (),
               {"flt_counterbalance": 0.15, "flt_reach": 0.1, "cat_b": 0.5}),
    Occupation("forklift_driver",
               ("Forklift Driver", "FLT Driver", "Reach Truck Driver",
                "Counterbalance Forklift Driver"),
               ("loading_unloading", "goods_in", "rf_scanning"),
               ("stock_control", "manual_handling"),
               ((0.5, ("flt_counterbalance",)), (1.0, ("flt_reach",))),
               {"flt_counterbalance": 0.65, "flt_reach": 0.5, "cat_b": 0.6}),
    Occupation("care_assistant",
               ("Care Assistant", "Support Worker", "Healthcare Assistant",
                "Domiciliary Care Worker", "Carer"),
               ("personal_care", "moving_handling", "medication", "care_records"),
               ("dementia_care",),
               ((0.15, ("dbs_enhanced", "hsc_l3")), (0.3, ("dbs_enhanced", "care_certificate")),
                (0.85, ("dbs_enhanced",))),
               {"dbs_enhanced": 0.75, "care_certificate": 0.45, "hsc_l2": 0.3, "hsc_l3": 0.15,
                "cat_b": 0.5, "emergency_first_aid": 0.2}),
    Occupation("kitchen_assistant",
               ("Kitchen Assistant", "Commis Chef", "Kitchen Porter", "Catering Assistant"),
               ("food_preparation", "kitchen_porter"), ("customer_service",),
               ((0.15, ("food_hygiene_l3",)), (0.6, ("food_hygiene_l2",))),
               {"food_hygiene_l2": 0.7, "food_hygiene_l3": 0.2}),
    Occupation("front_of_house",
               ("Waiter / Waitress", "Bar Staff", "Barista", "Front of House Team Member",
                "Bar Supervisor"),
               ("table_service", "bar_work", "barista", "customer_service", "cash_handling"),
               ("food_preparation",),
               ((0.1, ("personal_licence",)), (0.3, ("food_hygiene_l2",))),
               {"food_hygiene_l2": 0.5, "personal_licence": 0.15}),
    Occupation("security_officer",
               ("Security Officer", "Door Supervisor", "CCTV Operator",
                "Retail Security Officer"),
               ("patrolling", "access_control", "incident_reporting", "conflict_management",
                "cctv_monitoring"),
               ("customer_service",),
               ((0.3, ("sia_cctv",)), (0.9, ("sia_door_supervisor",)),
                (1.0, ("sia_door_supervisor", "first_aid_at_work"))),
               {"sia_door_supervisor": 0.7, "sia_cctv": 0.4, "first_aid_at_work": 0.3,
                "emergency_first_aid": 0.3}),
    Occupation("construction_labourer",
               ("Construction Labourer", "Groundworker", "Site Labourer", "Hod Carrier"),
               ("labouring", "power_tools", "site_clearance", "manual_handling",
                "bricklaying_assist"),
               (),
               ((0.1, ("cscs_labourer", "ipaf")), (0.2, ("cscs_labourer", "pasma")),
                (0.9, ("cscs_labourer",))),
               {"cscs_labourer": 0.85, "ipaf": 0.2, "pasma": 0.2, "cat_b": 0.5}),
    Occupation("hgv_driver",
               ("HGV Class 2 Driver", "HGV Class 1 Driver", "LGV Driver",
                "Class 1 Night Trunker"),
               ("vehicle_checks", "tachograph", "load_securing", "route_planning"),
               ("multi_drop",),
               ((0.45, ("hgv_c1", "driver_cpc")), (1.0, ("hgv_c2", "driver_cpc"))),
               {"hgv_c1": 0.45, "hgv_c2": 0.95, "driver_cpc": 0.85}),
    Occupation("delivery_driver",
               ("Delivery Driver", "Multi-drop Van Driver", "Courier"),
               ("multi_drop", "route_planning", "vehicle_checks"), ("customer_service",),
               ((1.0, ("cat_b",)),), {"cat_b": 0.95}),
    Occupation("admin_assistant",
               ("Administrative Assistant", "Office Administrator", "Receptionist",
                "Data Entry Clerk"),
               ("data_entry", "ms_office", "filing", "reception", "telephone"),
               ("customer_service",), ((0.1, ("dbs_basic",)),),
               {"dbs_basic": 0.2, "cat_b": 0.5}, remote_ok=True),
    Occupation("cleaner",
               ("Cleaner", "Cleaning Operative", "Contract Cleaner", "School Cleaner"),
               ("commercial_cleaning", "coshh", "floor_machines", "deep_cleaning"),
               (), ((0.1, ("dbs_enhanced",)), (0.25, ("dbs_basic",))),
               {"dbs_basic": 0.35, "dbs_enhanced": 0.15}),
    Occupation("contact_centre",
               ("Customer Service Advisor", "Call Centre Agent", "Contact Centre Advisor",
                "Telesales Executive"),
               ("telephone", "crm", "complaint_handling", "customer_service",
                "outbound_sales"),
               ("ms_office",), (), {}, remote_ok=True),
    Occupation("production_operative",
               ("Production Operative", "Machine Operator", "Food Production Operative",
                "Assembly Operative"),
               ("production_line", "quality_checks", "machine_operation", "manual_handling"),
               (), ((0.3, ("food_hygiene_l2",)),),
               {"food_hygiene_l2": 0.35, "flt_counterbalance": 0.1}),
)

# Hours ranges as people actually state them. None is "not given".
HOURS_CLIENT: tuple[tuple[float, float] | None, ...] = (
    None, None, (16.0, 24.0), (20.0, 30.0), (30.0, 40.0), (35.0, 40.0), (10.0, 16.0),
    (25.0, 37.5), (0.0, 16.0), (37.5, 45.0), (16.0, 40.0),
)
HOURS_VACANCY: tuple[tuple[float, float] | None, ...] = (
    None, (16.0, 20.0), (37.5, 40.0), (20.0, 30.0), (40.0, 48.0), (8.0, 16.0),
    (30.0, 37.5), (24.0, 36.0), (39.0, 39.0),
)
