"""Lab 08's conclusions hold under other seeds (train/test splits 1 and 2 instead of the lab's 0).

The Summary concludes: the handlers answer 503 then 200 on /ping and map bad requests to 400, 406
and 415; the server's predictions equal the in-process model's for CSV and JSON; batching rows gives
the same predictions; the multi-model container answers the contract (404 before a load, 409, 507)
and the lab's 8-request sequence with room for 3 models costs 6 loads, 3 unloads and 2 hits.
Timings are not asserted anywhere (they are shown with their spread in the lab).
"""

from __future__ import annotations

import json
from collections import OrderedDict

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from labkit.datasets import load_dataset
from labkit.serving import (
    App,
    NotAcceptableError,
    PayloadError,
    ServerProcess,
    UnsupportedMediaTypeError,
    call,
    invocations,
    load_model,
    ping,
    save_model,
)

SEEDS = (1, 2)
SEQUENCE = ["grade-A", "grade-B", "grade-A", "grade-C", "grade-D", "grade-A", "grade-B", "grade-G"]
CSV_HEADERS = {"Content-Type": "text/csv", "Accept": "text/csv"}


def _to_csv(rows: pd.DataFrame) -> str:
    return "\n".join(",".join(repr(v) if isinstance(v, float) else str(v) for v in row)
                     for row in rows.itertuples(index=False)) + "\n"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """Per seed: the lab's pipeline on that seed's split, and its grade models; one server for all."""
    root = tmp_path_factory.mktemp("lab08")
    loans = load_dataset("lending_club")
    labels = (loans["Class"] == "bad").astype(int).to_numpy()
    features = loans.drop(columns="Class")
    categorical = [c for c in features.columns if isinstance(features[c].dtype, pd.CategoricalDtype)]
    numeric = [c for c in features.columns if c not in categorical]

    def pipeline():
        encode = ColumnTransformer([("numeric", StandardScaler(), numeric),
                                    ("categories", OneHotEncoder(handle_unknown="ignore"), categorical)])
        return make_pipeline(encode, LogisticRegression(max_iter=1000))

    splits = {}
    for seed in SEEDS:
        train_x, test_x, train_y, test_y = train_test_split(features, labels, test_size=0.25, stratify=labels,
                                                            random_state=seed)
        model = pipeline().fit(train_x, train_y)
        save_model(model, root / "models" / f"s{seed}-default", list(features.columns), numeric)
        grades = train_x["sub_grade"].astype(str).str[0]
        for grade in sorted({name[-1] for name in SEQUENCE}):
            rows = (grades == grade).to_numpy()
            save_model(pipeline().fit(train_x[rows], train_y[rows]), root / "models" / f"s{seed}-grade-{grade}",
                       list(features.columns), numeric)
        splits[seed] = {"model": model, "test_x": test_x, "test_y": test_y}
    server = ServerProcess(root / "models" / f"s{SEEDS[0]}-default", multi_model_dir=root / "models",
                           max_models=3, log_path=root / "server.log")
    try:
        server.start()
        yield {"root": root, "server": server, "splits": splits}
    finally:
        server.kill()


def _load(port, root, name):
    document = json.dumps({"model_name": name, "url": str(root / "models" / name)})
    return call(port, "POST", "/models", document, {"Content-Type": "application/json"})


@pytest.mark.parametrize("seed", SEEDS)
def test_the_handlers_answer_as_the_lab_says(lab, seed):
    model_dir = lab["root"] / "models" / f"s{seed}-default"
    state = App(model_dir, models=None, max_payload_bytes=0)
    assert ping(state).status == 503
    state.default_model = load_model(model_dir)
    assert ping(state) == (200, b"", "text/plain")
    body = _to_csv(lab["splits"][seed]["test_x"].head(3)).encode()
    assert invocations(state.default_model, body, "text/csv", None).status == 200
    for content_type, accept, payload, error in [("text/plain", None, body, UnsupportedMediaTypeError),
                                                 ("text/csv", "application/xml", body, NotAcceptableError),
                                                 ("text/csv", None, b"1,2,3\n", PayloadError)]:
        with pytest.raises(error):
            invocations(state.default_model, payload, content_type, accept)


@pytest.mark.parametrize("seed", SEEDS)
def test_served_predictions_equal_the_in_process_model_and_batching_changes_nothing(lab, seed):
    port, split = lab["server"].port, lab["splits"][seed]
    assert 0.70 < roc_auc_score(split["test_y"], split["model"].predict_proba(split["test_x"])[:, 1]) < 0.82
    name = f"s{seed}-default"
    assert _load(port, lab["root"], name).status in (200, 409)
    rows = split["test_x"].head(100)
    expected = split["model"].predict_proba(rows)[:, 1]
    as_csv = call(port, "POST", f"/models/{name}/invoke", _to_csv(rows), CSV_HEADERS)
    as_json = call(port, "POST", f"/models/{name}/invoke",
                   json.dumps({"instances": json.loads(rows.to_json(orient="values"))}),
                   {"Content-Type": "application/json"})
    singles = [float(call(port, "POST", f"/models/{name}/invoke", _to_csv(rows.iloc[[i]]), CSV_HEADERS).body)
               for i in range(0, 100, 10)]
    np.testing.assert_allclose([float(v) for v in as_csv.body.decode().split()], expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(as_json.json()["predictions"], expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(singles, expected[::10], rtol=0, atol=1e-12)
    assert call(port, "DELETE", f"/models/{name}").status == 200


@pytest.mark.parametrize("seed", SEEDS)
def test_the_multi_model_contract_and_the_sequences_counts(lab, seed):
    port, root = lab["server"].port, lab["root"]
    for model in call(port, "GET", "/models").json()["models"]:
        call(port, "DELETE", f"/models/{model['modelName']}")
    body = _to_csv(lab["splits"][seed]["test_x"].head(1))
    recently_used, counts = OrderedDict(), {"loads": 0, "unloads": 0, "hits": 0}
    for grade in SEQUENCE:
        name = f"s{seed}-{grade}"
        answer = call(port, "POST", f"/models/{name}/invoke", body, {"Content-Type": "text/csv"})
        if answer.status == 404:
            while (loaded := _load(port, root, name)).status == 507:
                oldest, _ = recently_used.popitem(last=False)
                assert call(port, "DELETE", f"/models/{oldest}").status == 200
                counts["unloads"] += 1
            assert loaded.status == 200 and _load(port, root, name).status == 409
            counts["loads"] += 1
            answer = call(port, "POST", f"/models/{name}/invoke", body, {"Content-Type": "text/csv"})
        else:
            counts["hits"] += 1
        assert answer.status == 200
        recently_used[name] = True
        recently_used.move_to_end(name)
    assert counts == {"loads": 6, "unloads": 3, "hits": 2}
    loaded = [m["modelName"] for m in call(port, "GET", "/models").json()["models"]]
    assert sorted(loaded) == sorted(f"s{seed}-{g}" for g in ("grade-A", "grade-B", "grade-G"))
