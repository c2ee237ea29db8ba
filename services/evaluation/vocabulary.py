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
        ["cashing up and counting floats", "EPOS tills", "processing payments at the counter"]),
    "customer_service": _p(
        ["customer service", "cust service", "customer care", "dealing with customers"],
        ["customer-facing experience", "providing a friendly service to customers",
         "dealing with members of the public"]),
    "stock_replenishment": _p(
        ["shelf stacking", "stock replenishment", "replenishing stock", "merchandising",
         "filling shelves"],
        ["rotating stock and keeping shelves full", "doing the replen on nights"]),
    "stock_control": _p(
        ["stock control", "stock taking", "stocktake", "inventory control"],
        ["weekly stock checks", "managing stock levels and reordering",
         "carrying out stock audits"]),
    # Warehouse.
    "picking_packing": _p(
        ["picking and packing", "pick and pack", "order picking", "picking & packing"],
        ["order fulfilment", "picking from pick lists", "boxing up online orders"]),
    "rf_scanning": _p(
        ["RF scanner", "handheld scanner", "RF gun", "barcode scanning"],
        ["radio frequency handheld terminals", "Zebra scanner",
         "scanning stock with a hand terminal"]),
    "goods_in": _p(
        ["goods in", "goods inward", "receiving deliveries", "goods receiving",
         "booking in deliveries"],
        ["checking in supplier deliveries", "inbound receipting"]),
    "loading_unloading": _p(
        ["loading and unloading", "loading/unloading", "loading vans", "tipping trailers"],
        ["handballing loads off trailers", "devanning shipping containers"]),
    "manual_handling": _p(
        ["manual handling", "heavy lifting", "lifting and carrying", "carrying heavy loads"],
        ["lifting up to 25kg regularly", "safe lifting techniques"]),
    # Care.
    "personal_care": _p(
        ["personal care", "washing and dressing", "assisting with personal care"],
        ["personal hygiene support", "help with showering, continence and getting dressed"]),
    "medication": _p(
        ["medication administration", "administering medication", "meds administration",
         "MAR charts"],
        ["prompting and administering meds", "signing MAR sheets",
         "supporting service users with their medication"]),
    "dementia_care": _p(
        ["dementia care", "dementia awareness", "supporting people with dementia",
         "alzheimer's care"],
        ["EMI unit experience", "working with clients with cognitive impairment"]),
    "moving_handling": _p(
        ["moving and handling", "patient handling", "hoist operation", "moving & handling"],
        ["safer people handling", "hoisting and repositioning service users"]),
    "care_records": _p(
        ["care planning", "care notes", "writing care plans", "care record keeping"],
        ["writing up daily notes", "electronic care recording"]),
    # Hospitality.
    "food_preparation": _p(
        ["food preparation", "food prep", "prepping food", "commis chef skills"],
        ["veg prep", "preparing meals in a commercial kitchen", "sandwich and salad making"]),
    "barista": _p(
        ["barista", "coffee making", "barista skills", "espresso machine"],
        ["coffee shop experience", "speciality coffee preparation"]),
    "table_service": _p(
        ["table service", "waiting tables", "waitressing", "front of house service"],
        ["restaurant floor service", "running food and clearing tables"]),
    "bar_work": _p(
        ["bar work", "bartending", "pulling pints", "bar staff"],
        ["mixology", "pub and club bar experience"]),
    "kitchen_porter": _p(
        ["kitchen porter", "pot washing", "dishwashing", "KP duties"],
        ["kitchen portering", "plate wash and pot wash", "washing dishes and utensils"]),
    # Security.
    "patrolling": _p(
        ["patrolling", "mobile patrols", "site patrols", "foot patrols"],
        ["carrying out security patrols", "locking up and checking the premises"]),
    "access_control": _p(
        ["access control", "door supervision", "checking ID", "gatehouse duties"],
        ["signing visitors in and out", "checking passes at the gate"]),
    "cctv_monitoring": _p(
        ["CCTV monitoring", "CCTV operation", "monitoring cameras", "control room"],
        ["video surveillance", "monitoring live camera footage"]),
    "incident_reporting": _p(
        ["incident reporting", "report writing", "incident reports", "writing incident logs"],
        ["writing witness statements", "recording incidents on the daily log"]),
    "conflict_management": _p(
        ["conflict management", "conflict resolution", "de-escalation"],
        ["staying calm with aggressive customers", "handling difficult situations"]),
    # Construction.
    "labouring": _p(
        ["labouring", "general labouring", "site labourer", "groundworks labouring"],
        ["general site duties", "labourer on new-build sites"]),
    "power_tools": _p(
        ["power tools", "hand and power tools", "use of power tools"],
        ["cordless and 110v tools", "Kango hammer and breaker"]),
    "site_clearance": _p(
        ["site clearance", "site clean up", "clearing sites", "waste removal on site"],
        ["site housekeeping", "loading skips and clearing debris"]),
    "bricklaying_assist": _p(
        ["hod carrying", "bricklayer's labourer", "brickwork support"],
        ["mixing muck for the brickies", "keeping bricklayers supplied"]),
    # Driving.
    "multi_drop": _p(
        ["multi-drop delivery", "multi drop", "parcel delivery", "delivery driving"],
        ["last-mile delivery", "100+ drops a day"]),
    "route_planning": _p(
        ["route planning", "sat nav use", "navigation"],
        ["map reading and local knowledge", "sequencing deliveries"]),
    "vehicle_checks": _p(
        ["vehicle checks", "walkaround checks", "daily vehicle checks", "defect reporting"],
        ["pre-use vehicle inspections", "pre-trip inspections"]),
    "tachograph": _p(
        ["tachograph", "tacho", "digital tachograph", "drivers hours rules"],
        ["knowledge of EU drivers' hours", "tacho charts"]),
    "load_securing": _p(
        ["load securing", "securing loads", "ratchet straps", "load restraint"],
        ["curtain-side load security", "using straps, bars and nets to secure freight"]),
    # Admin and contact centres.
    "data_entry": _p(
        ["data entry", "data input", "inputting data", "typing"],
        ["40 wpm typing", "inputting information onto spreadsheets"]),
    "ms_office": _p(
        ["Microsoft Office", "MS Office", "O365 admin", "Office 365", "Word and Excel"],
        ["Microsoft packages", "proficient in Excel and PowerPoint",
         "good working knowledge of Excel"]),
    "filing": _p(
        ["filing", "record management", "paper filing", "archiving"],
        ["organising and retrieving documents", "maintaining paper and electronic files"]),
    "reception": _p(
        ["reception", "front desk", "receptionist duties", "meeting and greeting",
         "welcoming visitors"],
        ["receptionist experience", "welcoming clients and booking appointments"]),
    "telephone": _p(
        ["answering phones", "telephone skills", "call handling", "inbound calls"],
        ["switchboard operation", "taking calls and messages"]),
    "crm": _p(
        ["CRM systems", "using CRM", "Salesforce", "customer database"],
        ["Dynamics 365", "keeping customer records up to date on the system"]),
    "outbound_sales": _p(
        ["outbound calls", "telesales", "outbound sales", "cold calling"],
        ["converting leads over the phone", "calling leads to close sales"]),
    "complaint_handling": _p(
        ["complaint handling", "handling complaints", "complaints resolution",
         "resolving customer issues"],
        ["dealing with escalated complaints", "putting things right for dissatisfied customers"]),
    # Cleaning.
    "commercial_cleaning": _p(
        ["commercial cleaning", "office cleaning", "contract cleaning", "general cleaning"],
        ["cleaning of communal areas and toilets", "janitorial duties"]),
    "floor_machines": _p(
        ["floor scrubber", "buffing machine", "floor polishing", "rotary floor machine"],
        ["operating ride-on scrubbers", "Taski machines"]),
    "coshh": _p(
        ["COSHH", "COSHH awareness", "chemical safety", "safe use of chemicals"],
        ["safe storage and use of cleaning products", "diluting chemicals correctly"]),
    "deep_cleaning": _p(
        ["deep cleaning", "deep cleans", "periodic cleaning"],
        ["after-builders cleans", "intensive cleans of kitchens and washrooms"]),
    # Manufacturing.
    "production_line": _p(
        ["production line", "production operative", "assembly line", "line work"],
        ["food factory experience", "working on the line in a factory"]),
    "quality_checks": _p(
        ["quality checks", "quality control", "QC", "product inspection"],
        ["QA checks", "checking weights and labels"]),
    "machine_operation": _p(
        ["machine operation", "machine operator", "operating machinery"],
        ["operating flow wrappers and sealers", "press operator experience"]),
}

# Noise every CV carries; never a vacancy requirement, so it must not make anyone fit.
SOFT_SKILLS: tuple[str, ...] = (
    "teamwork", "reliable", "good timekeeping", "hard working", "communication skills",
    "punctual", "can work on own initiative", "friendly", "willing to learn", "flexible",
)
