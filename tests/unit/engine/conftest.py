"""Builders for engine tests: contract records from tests/fixtures.py, as models."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from schemas import ClientProfile, Vacancy
from services.matcher.engine import ClientFeatures, VacancyFeatures
from tests.fixtures import make_client, make_vacancy

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


def client(**overrides: Any) -> ClientProfile:
    return ClientProfile.model_validate(make_client(**overrides))


def vacancy(**overrides: Any) -> Vacancy:
    return Vacancy.model_validate(make_vacancy(**overrides))


def cf(**overrides: Any) -> ClientFeatures:
    return ClientFeatures.from_profile(client(**overrides))


def vf(**overrides: Any) -> VacancyFeatures:
    return VacancyFeatures.from_vacancy(vacancy(**overrides))


@pytest.fixture
def now() -> datetime:
    return NOW
