from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import HashingVectorizer

from services.matcher.engine.features import N_TEXT_FEATURES, text_vector
from tests.unit.engine.conftest import cf


@pytest.mark.parametrize("text", ["Retail Sales Assistant ; Serving customers, the till.",
                                  "", "a", "Café  KP\tF&B ö"])
def test_text_vector_equals_scikit_learn_hashing_vectorizer(text: str) -> None:
    ref = HashingVectorizer(analyzer="char_wb", ngram_range=(3, 4), n_features=N_TEXT_FEATURES,
                            norm="l2", alternate_sign=False).transform([text])
    ref.sort_indices()
    got = text_vector(text)
    assert np.array_equal(ref.indices, got.indices)
    assert np.allclose(ref.data, got.values)


def test_features_hold_no_monitoring_data() -> None:
    features = cf(monitoring={"ethnic_group": "Zzyzx group", "disability": True})
    assert "Zzyzx" not in repr(features)
    assert not any("monitoring" in name for name in type(features).__slots__)
