"""Skill concepts and how people write them, in two pools per concept.

``seen`` phrasings may be used to build dictionaries (several started as held-out ones and moved
here once an engine dictionary turned out to contain them); ``held_out`` phrasings must never appear
in the engine's taxonomy or code (``tests/unit/evaluation/test_held_out.py`` checks), so that the
evaluation measures how the matcher copes with wording nobody anticipated.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SKILLS", "SOFT_SKILLS", "Phrasings"]


@dataclass(frozen=True)
class Phrasings:
    seen: tuple[str, ...]
    held_out: tuple[str, ...]


def _p(seen: list[str], held_out: list[str]) -> Phrasings:
    return Phrasings(tuple(seen), tuple(held_out))


SKILLS: dict[str, Phrasings] = {
    # Retail and shared customer-facing skills.
    "cash_handling": _p(
        ["cash handling", "till operation", "handling cash", "tills", "cashier duties"],
        ["operating the checkout", "balancing the till", "taking card and cash payments"]),
    "customer_service": _p(
        ["customer service", "cust service", "customer care", "dealing with customers"],
        ["helping shoppers", "serving the public", "looking after customers"]),
    "stock_replenishment": _p(
        ["shelf stacking", "stock replenishment", "replenishing stock", "merchandising",
         "filling shelves"],
        ["restocking the shop floor", "facing up shelves"]),
    "stock_control": _p(
        ["stock control", "stock taking", "stocktake", "inventory control"],
        ["counting stock", "keeping track of stock levels", "doing stock counts"]),
    # Warehouse.
    "picking_packing": _p(
        ["picking and packing", "pick and pack", "order picking", "picking & packing"],
        ["picking customer orders", "packing parcels", "pulling orders for dispatch"]),
    "rf_scanning": _p(
        ["RF scanner", "handheld scanner", "RF gun", "barcode scanning"],
        ["using a scan gun", "scanning goods with a handheld", "PDA scanning"]),
    "goods_in": _p(
        ["goods in", "goods inward", "receiving deliveries", "goods receiving",
         "booking in deliveries"],
        ["checking deliveries against paperwork", "signing for incoming stock"]),
    "loading_unloading": _p(
        ["loading and unloading", "loading/unloading", "loading vans", "tipping trailers"],
        ["loading lorries by hand", "emptying containers"]),
    "manual_handling": _p(
        ["manual handling", "heavy lifting", "lifting and carrying", "carrying heavy loads"],
        ["physically demanding lifting work", "moving heavy boxes all day"]),
    # Care.
    "personal_care": _p(
        ["personal care", "washing and dressing", "assisting with personal care"],
        ["helping people wash and dress", "supporting with bathing and toileting"]),
    "medication": _p(
        ["medication administration", "administering medication", "meds administration",
         "MAR charts"],
        ["giving out medicines", "dispensing tablets to residents", "medicine rounds"]),
    "dementia_care": _p(
        ["dementia care", "dementia awareness", "supporting people with dementia",
         "alzheimer's care"],
        ["caring for people with memory loss", "supporting residents living with alzheimer's"]),
    "moving_handling": _p(
        ["moving and handling", "patient handling", "hoist operation", "moving & handling"],
        ["using hoists and slide sheets", "helping residents transfer safely"]),
    "care_records": _p(
        ["care planning", "care notes", "writing care plans", "care record keeping"],
        ["updating daily care logs", "documenting care given"]),
    # Hospitality.
    "food_preparation": _p(
        ["food preparation", "food prep", "prepping food", "commis chef skills"],
        ["chopping and preparing ingredients", "making up dishes for service",
         "mise en place"]),
    "barista": _p(
        ["barista", "coffee making", "barista skills", "espresso machine"],
        ["making lattes and cappuccinos", "pulling espresso shots"]),
    "table_service": _p(
        ["table service", "waiting tables", "waitressing", "front of house service"],
        ["serving diners", "taking food orders at tables"]),
    "bar_work": _p(
        ["bar work", "bartending", "pulling pints", "bar staff"],
        ["serving drinks behind the bar", "mixing cocktails"]),
    "kitchen_porter": _p(
        ["kitchen porter", "pot washing", "dishwashing", "KP duties"],
        ["washing up in a busy kitchen", "cleaning pots and pans", "running the dish machine"]),
    # Security.
    "patrolling": _p(
        ["patrolling", "mobile patrols", "site patrols", "foot patrols"],
        ["walking the perimeter", "doing rounds of the building"]),
    "access_control": _p(
        ["access control", "door supervision", "checking ID", "gatehouse duties"],
        ["controlling entry to the site", "searching bags at entry"]),
    "cctv_monitoring": _p(
        ["CCTV monitoring", "CCTV operation", "monitoring cameras", "control room"],
        ["watching security camera feeds", "operating surveillance screens"]),
    "incident_reporting": _p(
        ["incident reporting", "report writing", "incident reports", "writing incident logs"],
        ["logging occurrences", "completing occurrence books"]),
    "conflict_management": _p(
        ["conflict management", "conflict resolution", "de-escalation"],
        ["calming down angry people", "defusing confrontations"]),
    # Construction.
    "labouring": _p(
        ["labouring", "general labouring", "site labourer", "groundworks labouring"],
        ["carrying materials on site", "helping tradesmen on building sites"]),
    "power_tools": _p(
        ["power tools", "hand and power tools", "use of power tools"],
        ["using drills, grinders and saws", "operating a disc cutter"]),
    "site_clearance": _p(
        ["site clearance", "site clean up", "clearing sites", "waste removal on site"],
        ["keeping the site tidy", "clearing rubble and waste"]),
    "bricklaying_assist": _p(
        ["hod carrying", "bricklayer's labourer", "brickwork support"],
        ["carrying bricks up scaffolding", "assisting bricklayers"]),
    # Driving.
    "multi_drop": _p(
        ["multi-drop delivery", "multi drop", "parcel delivery", "delivery driving"],
        ["delivering parcels to homes", "courier work"]),
    "route_planning": _p(
        ["route planning", "sat nav use", "navigation"],
        ["planning the day's drops", "working out the quickest routes"]),
    "vehicle_checks": _p(
        ["vehicle checks", "walkaround checks", "daily vehicle checks", "defect reporting"],
        ["checking tyres, lights and oil before a shift", "first-use checks on the lorry"]),
    "tachograph": _p(
        ["tachograph", "tacho", "digital tachograph", "drivers hours rules"],
        ["keeping within driving hours", "using a driver card"]),
    "load_securing": _p(
        ["load securing", "securing loads", "ratchet straps", "load restraint"],
        ["strapping down pallets on the wagon", "making loads safe for transit"]),
    # Admin and contact centres.
    "data_entry": _p(
        ["data entry", "data input", "inputting data", "typing"],
        ["keying in records", "entering details onto the computer system"]),
    "ms_office": _p(
        ["Microsoft Office", "MS Office", "O365 admin", "Office 365", "Word and Excel"],
        ["Microsoft Word, Outlook and Excel", "using office software", "M365 apps"]),
    "filing": _p(
        ["filing", "record management", "paper filing", "archiving"],
        ["keeping records in order", "organising paperwork"]),
    "reception": _p(
        ["reception", "front desk", "receptionist duties", "meeting and greeting",
         "welcoming visitors"],
        ["first point of contact for visitors", "greeting people arriving at the office"]),
    "telephone": _p(
        ["answering phones", "telephone skills", "call handling", "inbound calls"],
        ["handling phone enquiries", "fielding calls"]),
    "crm": _p(
        ["CRM systems", "using CRM", "Salesforce", "customer database"],
        ["logging calls on the customer system", "updating customer accounts on screen"]),
    "outbound_sales": _p(
        ["outbound calls", "telesales", "outbound sales", "cold calling"],
        ["selling over the phone", "making sales calls"]),
    "complaint_handling": _p(
        ["complaint handling", "handling complaints", "complaints resolution",
         "resolving customer issues"],
        ["dealing with unhappy callers", "sorting out customer problems"]),
    # Cleaning.
    "commercial_cleaning": _p(
        ["commercial cleaning", "office cleaning", "contract cleaning", "general cleaning"],
        ["cleaning offices after hours", "mopping and vacuuming"]),
    "floor_machines": _p(
        ["floor scrubber", "buffing machine", "floor polishing", "rotary floor machine"],
        ["using a scrubber dryer", "running floor buffers"]),
    "coshh": _p(
        ["COSHH", "COSHH awareness", "chemical safety", "safe use of chemicals"],
        ["handling cleaning chemicals safely", "knowing hazardous substance rules"]),
    "deep_cleaning": _p(
        ["deep cleaning", "deep cleans", "periodic cleaning"],
        ["top-to-bottom cleans", "end of tenancy cleaning"]),
    # Manufacturing.
    "production_line": _p(
        ["production line", "production operative", "assembly line", "line work"],
        ["working on a conveyor line", "assembling products on a line"]),
    "quality_checks": _p(
        ["quality checks", "quality control", "QC", "product inspection"],
        ["spotting faulty items", "inspecting goods for defects"]),
    "machine_operation": _p(
        ["machine operation", "machine operator", "operating machinery"],
        ["running packing machines", "setting up and minding machines"]),
}

# Noise every CV carries; never a vacancy requirement, so it must not make anyone fit.
SOFT_SKILLS: tuple[str, ...] = (
    "teamwork", "reliable", "good timekeeping", "hard working", "communication skills",
    "punctual", "can work on own initiative", "friendly", "willing to learn", "flexible",
)
