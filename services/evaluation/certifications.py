"""Certification categories, their phrasings in two pools, and their look-alikes.

The contract makes certifications categories: wording is forgiven, but a different category,
level or class is a different certification. ``LOOK_ALIKES`` pairs each category with the ones a
careless matcher confuses it with; the generator uses them to build near-miss clients.
"""

from __future__ import annotations

from services.evaluation.vocabulary import Phrasings

__all__ = ["CERTS", "IMPLIES", "LOOK_ALIKES"]


def _p(seen: list[str], held_out: list[str]) -> Phrasings:
    return Phrasings(tuple(seen), tuple(held_out))


CERTS: dict[str, Phrasings] = {
    "hgv_c2": _p(
        ["HGV Class 2", "Cat C licence", "HGV 2", "LGV Class 2", "Category C"],
        ["Class 2 rigid wagon licence", "Category C (rigid) entitlement", "class 2 HGV driver"]),
    "hgv_c1": _p(
        ["HGV Class 1", "C+E", "Cat C+E", "HGV 1", "LGV Class 1", "Category CE"],
        ["class 1 HGV driver", "C+E licence holder", "CE entitlement (class 1)"]),
    "cat_b": _p(
        ["full UK driving licence", "Cat B licence", "full clean driving licence",
         "UK driving licence"],
        ["Category B car licence", "full UK licence (manual)"]),
    "driver_cpc": _p(
        ["Driver CPC", "DCPC", "CPC card", "driver qualification card", "DQC card"],
        ["Driver Certificate of Professional Competence", "valid DQC"]),
    "flt_counterbalance": _p(
        ["counterbalance forklift licence", "counterbalance FLT", "RTITB counterbalance",
         "forklift licence (counterbalance)"],
        ["counterbalance forklift operator (B1)", "ITSSAR counterbalance"]),
    "flt_reach": _p(
        ["reach truck licence", "reach FLT", "RTITB reach truck", "reach truck",
         "reach truck ticket"],
        ["D1 reach", "reach fork lift truck certificate"]),
    "food_hygiene_l2": _p(
        ["food hygiene level 2", "level 2 food safety", "L2 food hygiene",
         "food safety and hygiene level 2"],
        ["Highfield level 2 food safety", "CIEH level 2 food hygiene"]),
    "food_hygiene_l3": _p(
        ["food hygiene level 3", "level 3 food safety", "L3 food hygiene",
         "supervising food safety level 3"],
        ["Highfield level 3 supervising food safety", "CIEH Level 3 food safety"]),
    "sia_door_supervisor": _p(
        ["SIA door supervisor licence", "SIA DS licence", "SIA door supervisor",
         "door supervisor badge"],
        ["SIA front line door supervision", "door supervision SIA badge"]),
    "sia_cctv": _p(
        ["SIA CCTV licence", "SIA public space surveillance", "CCTV licence (SIA)",
         "SIA PSS CCTV"],
        ["SIA PSS (CCTV) licence holder",
         "SIA public space surveillance (CCTV) front line licence"]),
    "cscs_labourer": _p(
        ["CSCS green card", "CSCS labourer card", "CSCS card (green)", "green CSCS"],
        ["valid green CSCS labourer's card", "CSCS green card holder"]),
    "ipaf": _p(
        ["IPAF", "IPAF licence", "IPAF card", "IPAF PAL card"],
        ["IPAF 3a/3b", "MEWP licence (IPAF)"]),
    "pasma": _p(
        ["PASMA", "PASMA card", "PASMA towers"],
        ["PASMA trained", "PASMA mobile access tower training"]),
    "dbs_enhanced": _p(
        ["enhanced DBS", "DBS enhanced check", "enhanced DBS certificate", "eDBS"],
        ["enhanced DBS on update service", "enhanced CRB/DBS"]),
    "dbs_basic": _p(
        ["basic DBS", "basic DBS check", "DBS basic disclosure"],
        ["clear basic DBS", "basic criminal record check (DBS)"]),
    "care_certificate": _p(
        ["Care Certificate", "care cert", "completed care certificate"],
        ["Care Certificate (Skills for Care)", "achieved the Care Certificate"]),
    "hsc_l2": _p(
        ["NVQ level 2 health and social care", "level 2 diploma in health and social care",
         "HSC level 2"],
        ["NVQ2 in adult social care", "QCF level 2 in health & social care"]),
    "hsc_l3": _p(
        ["NVQ level 3 health and social care", "level 3 diploma in health and social care",
         "HSC level 3"],
        ["QCF level 3 in health & social care", "NVQ3 in adult social care"]),
    "personal_licence": _p(
        ["personal licence", "personal licence holder", "APLH",
         "personal licence to sell alcohol"],
        ["council-issued personal licence", "personal licence (Licensing Act 2003)"]),
    "first_aid_at_work": _p(
        ["first aid at work", "FAW", "3 day first aid at work", "FAW certificate"],
        ["Red Cross first aid at work certificate", "3-day first aider"]),
    "emergency_first_aid": _p(
        ["emergency first aid at work", "EFAW", "1 day emergency first aid"],
        ["St John Ambulance emergency first aid at work", "EFAW qualified"]),
}

# Different category, level or class: holding one never satisfies a requirement for the other.
LOOK_ALIKES: dict[str, tuple[str, ...]] = {
    "hgv_c1": ("hgv_c2",),
    "hgv_c2": ("cat_b",),
    "flt_counterbalance": ("flt_reach",),
    "flt_reach": ("flt_counterbalance",),
    "food_hygiene_l3": ("food_hygiene_l2",),
    # Not level 3: who holds level 3 holds level 2 as well (IMPLIES). Same level, other subject.
    "food_hygiene_l2": ("hsc_l2",),
    "sia_door_supervisor": ("sia_cctv",),
    "sia_cctv": ("sia_door_supervisor",),
    "dbs_enhanced": ("dbs_basic",),
    "dbs_basic": ("dbs_enhanced",),
    "hsc_l3": ("hsc_l2",),
    "hsc_l2": ("food_hygiene_l2",),
    "first_aid_at_work": ("emergency_first_aid",),
    "emergency_first_aid": ("first_aid_at_work",),
    "driver_cpc": ("cat_b",),
    "cscs_labourer": ("ipaf",),
    "ipaf": ("pasma",),
    "pasma": ("ipaf",),
    "care_certificate": ("hsc_l2",),
    "cat_b": ("driver_cpc",),
    "personal_licence": ("food_hygiene_l2",),
}

# Who holds the higher one holds the lower one too (a C+E driver passed Cat C first). The
# generator gives such clients both, and writes both on their profile, so no label depends on
# whether a matcher infers the lower class from the higher one.
IMPLIES: dict[str, tuple[str, ...]] = {
    "hgv_c1": ("hgv_c2", "cat_b"),
    "hgv_c2": ("cat_b",),
    "food_hygiene_l3": ("food_hygiene_l2",),
    "hsc_l3": ("hsc_l2",),
}
