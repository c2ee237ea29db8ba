"""The oracle's hard rules on hand-made records."""

from __future__ import annotations

from datetime import date
from typing import Any

from schemas import ClientProfile, Vacancy
from services.evaluation.oracle import judge

TODAY = date(2026, 11, 20)


def client(**over: Any) -> ClientProfile:
    base = {"client_id": "c1", "updated_at": "2026-11-01T00:00:00Z", "status": "job_ready",
            "location": {"lat": 52.48, "lon": -1.89}, "right_to_work": True,
            "consent_to_share": True, "max_travel_km": 10.0}
    return ClientProfile.model_validate({**base, **over})


def vacancy(**over: Any) -> Vacancy:
    base = {"vacancy_id": "v1", "employer_id": "e1", "employer_name": "E",
            "updated_at": "2026-11-01T00:00:00Z", "status": "open", "title": "Picker",
            "location": {"lat": 52.48, "lon": -1.89}}
    return Vacancy.model_validate({**base, **over})


def test_eligible_pair() -> None:
    assert judge(client(), vacancy(), ["a"], ["a"], TODAY).eligible


def test_each_rule() -> None:
    cases = [
        (client(status="paused"), vacancy(), "client_not_job_ready"),
        (client(consent_to_share=False), vacancy(), "no_consent"),
        (client(), vacancy(status="filled"), "vacancy_not_open"),
        (client(), vacancy(closing_date="2026-11-19"), "vacancy_not_open"),
        (client(right_to_work=False), vacancy(), "no_right_to_work"),
        (client(location={"lat": 52.70, "lon": -1.89}), vacancy(), "too_far"),
        (client(hours_per_week={"min": 10.0, "max": 16.0}),
         vacancy(hours_per_week={"min": 30.0, "max": 40.0}), "hours_do_not_overlap"),
    ]
    for c, v, reason in cases:
        assert reason in judge(c, v, [], [], TODAY).violations


def test_certifications_are_categories_and_remote_ignores_distance() -> None:
    assert "missing_certification" in judge(client(), vacancy(), ["hgv_c2"], ["hgv_c1"],
                                            TODAY).violations
    far = client(location={"lat": 55.86, "lon": -4.25})
    assert judge(far, vacancy(remote=True), [], [], TODAY).eligible
    assert judge(client(right_to_work=False), vacancy(requires_right_to_work=False), [], [],
                 TODAY).eligible


def test_closing_day_is_open_and_touching_hours_are_ambiguous() -> None:
    assert judge(client(), vacancy(closing_date="2026-11-20"), [], [], TODAY).eligible
    v = judge(client(hours_per_week={"min": 16.0, "max": 24.0}),
              vacancy(hours_per_week={"min": 24.0, "max": 36.0}), [], [], TODAY)
    assert v.ambiguous == "hours_touch"
