"""Lab 05's conclusions hold under seeds the lab does not use (CONTRIBUTING.md, "Conclusions survive another seed").

Each test recomputes one claim of the lab's Summary with the lab's settings and other seeds: seeds
1 and 2 for the data splits and folds, seeds 10 and 11 for the tuning samplers (the lab uses 0 to 4).
The search space is the lab's own, `labkit.tuning.suggest_hyperparameters` (saved from the lab).
"""

from __future__ import annotations

import numpy as np
import optuna
import pytest
from sklearn.base import clone
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor, RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, mean_absolute_error, roc_auc_score
from sklearn.model_selection import (
    KFold,
    StratifiedKFold,
    TimeSeriesSplit,
    cross_val_predict,
    train_test_split,
    validation_curve,
)
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.tree import DecisionTreeClassifier

from labkit.compression import bootstrap_auc_differences
from labkit.datasets import load_dataset
from labkit.lab import start
from labkit.tuning import fold_auc_spread, seed_interval, suggest_hyperparameters

SPLIT_SEEDS = (1, 2)
SAMPLER_SEEDS = (10, 11)
BUDGET, TRIAL_ITERATIONS, STEP, STARTUP = 32, 20, 5, 10

optuna.logging.set_verbosity(optuna.logging.WARNING)


@pytest.fixture(scope="module", autouse=True)
def _one_thread():
    start(seed=0)


@pytest.fixture(scope="module")
def churn():
    frame = load_dataset("wa_churn")
    y = (frame["churn"] == "Yes").astype(int).to_numpy()
    categorical = frame.drop(columns="churn").select_dtypes("category").columns.tolist()
    features = frame.drop(columns="churn").apply(lambda col: col.cat.codes if col.name in categorical else col)
    return features, y, [name in categorical for name in features.columns]


@pytest.fixture(scope="module")
def loans():
    frame = load_dataset("lending_club")
    return frame.drop(columns="Class"), (frame["Class"] == "bad").astype(int).to_numpy()


def _gain(labels, scores, reference, seed):
    """AUC of `scores` minus `reference`, with the lab's paired bootstrap (1,000 resamples)."""
    return bootstrap_auc_differences(labels, {"scores": scores}, reference, n_resamples=1000, seed=seed)["scores"]


def _encode(train, other):
    encode = ColumnTransformer([
        ("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False),
         make_column_selector(dtype_include="category")),
        ("scale", StandardScaler(), make_column_selector(dtype_exclude="category")),
    ])
    return encode.fit_transform(train), encode.transform(other)


@pytest.mark.parametrize("seed", SPLIT_SEEDS)
def test_a_deep_tree_overfits_and_the_best_depth_is_in_the_middle(churn, seed):
    features, y, _ = churn
    X_train, _, y_train, _ = train_test_split(features, y, test_size=0.25, stratify=y, random_state=seed)
    depths = [1, 2, 3, 4, 5, 6, 7, 8, 9, 15]
    train_auc, valid_auc = validation_curve(
        DecisionTreeClassifier(random_state=seed), X_train, y_train, param_name="max_depth", param_range=depths,
        cv=StratifiedKFold(5, shuffle=True, random_state=seed), scoring="roc_auc", n_jobs=1,
    )
    gap = dict(zip(depths, train_auc.mean(axis=1) - valid_auc.mean(axis=1), strict=True))
    best_depth = depths[int(np.argmax(valid_auc.mean(axis=1)))]
    assert 3 <= best_depth <= 7, best_depth
    assert gap[2] < 0.01 and gap[15] > 0.2, gap


@pytest.mark.parametrize("seed", SPLIT_SEEDS)
def test_l1_selects_l2_shrinks_and_ranks_at_least_as_well(loans, seed):
    features, y = loans
    train, valid, y_train, y_valid = train_test_split(features, y, test_size=0.25, stratify=y, random_state=seed)
    Z_train, Z_valid = _encode(train, valid)
    strong_l1 = LogisticRegression(C=0.01, l1_ratio=1.0, solver="liblinear", max_iter=1000, random_state=0)
    strong_l2 = LogisticRegression(C=0.01, l1_ratio=0.0, solver="liblinear", max_iter=1000, random_state=0)
    assert np.count_nonzero(strong_l1.fit(Z_train, y_train).coef_) <= 5
    assert np.count_nonzero(strong_l2.fit(Z_train, y_train).coef_) == Z_train.shape[1]
    l1 = LogisticRegression(C=0.1, l1_ratio=1.0, solver="liblinear", max_iter=1000, random_state=0)
    l1.fit(Z_train, y_train)
    l2 = LogisticRegression(C=0.0316, l1_ratio=0.0, solver="liblinear", max_iter=1000, random_state=0)
    l2.fit(Z_train, y_train)
    difference = _gain(y_valid, l1.decision_function(Z_valid), l2.decision_function(Z_valid), seed)
    assert difference.high > 0, difference  # L1, with a few coefficients, is never clearly worse


@pytest.mark.parametrize("seed", SPLIT_SEEDS)
def test_early_stopping_stops_early_and_scores_better(churn, seed):
    features, y, _ = churn
    X_train, X_test, y_train, y_test = train_test_split(features, y, test_size=0.25, stratify=y, random_state=seed)
    X_fit, _, y_fit, _ = train_test_split(X_train, y_train, test_size=0.2, stratify=y_train, random_state=seed)
    full = HistGradientBoostingClassifier(max_iter=200, early_stopping=False, random_state=seed).fit(X_fit, y_fit)
    stopped = HistGradientBoostingClassifier(max_iter=200, early_stopping=True, validation_fraction=0.2,
                                             n_iter_no_change=10, random_state=seed).fit(X_train, y_train)
    gain = _gain(y_test, stopped.predict_proba(X_test)[:, 1], full.predict_proba(X_test)[:, 1], seed)
    assert stopped.n_iter_ < 100 and gain.low > 0, (stopped.n_iter_, gain)


@pytest.mark.parametrize("seed", SPLIT_SEEDS)
def test_stratification_evens_the_counts_but_not_the_fold_scores(loans, seed):
    features, y = loans
    train, _, y_train, _ = train_test_split(features, y, test_size=0.25, stratify=y, random_state=seed)
    Z_train, _ = _encode(train, train)
    scores = cross_val_predict(LogisticRegression(C=0.1, l1_ratio=1.0, solver="liblinear", random_state=0),
                               Z_train, y_train, cv=StratifiedKFold(10, shuffle=True, random_state=seed),
                               method="decision_function")
    offset = 1000 * seed  # repetitions the lab did not draw
    stratified = fold_auc_spread(y_train, scores, lambda r: StratifiedKFold(10, shuffle=True, random_state=offset + r),
                                 60)
    plain = fold_auc_spread(y_train, scores, lambda r: KFold(10, shuffle=True, random_state=offset + r), 60)
    assert (stratified["most positives"] - stratified["fewest positives"]).max() <= 1
    assert plain["most positives"].max() - plain["fewest positives"].min() >= 10
    _, low, high = seed_interval(plain["fold AUC std"] - stratified["fold AUC std"])
    assert low < 0 < high, (low, high)


@pytest.fixture(scope="module")
def hotel():
    frame = load_dataset("hotel_rates").sort_values("arrival_date", kind="stable").iloc[::2]
    X = frame.drop(columns=["avg_price_per_room", "arrival_date", "assigned_room_type", "booking_changes"])
    return X, frame["avg_price_per_room"].to_numpy()


def _fold_mae(X, y, fit_rows, held_rows):
    model = HistGradientBoostingRegressor(max_iter=50, categorical_features="from_dtype", random_state=0)
    model.fit(X.iloc[fit_rows], y[fit_rows])
    return mean_absolute_error(y[held_rows], model.predict(X.iloc[held_rows]))


def test_time_folds_are_harder_than_shuffled_folds_of_the_same_sizes(hotel):
    X, y = hotel
    time_splits = list(TimeSeriesSplit(n_splits=5).split(X))
    time_mae = np.array([_fold_mae(X, y, fit, held) for fit, held in time_splits])
    for seed in SPLIT_SEEDS:
        generator = np.random.default_rng(seed)
        shuffled_mae = []
        for fit, held in time_splits:
            pool = generator.permutation(np.concatenate([fit, held]))
            shuffled_mae.append(_fold_mae(X, y, pool[: len(fit)], pool[len(fit):]))
        assert (time_mae > np.array(shuffled_mae)).all(), (time_mae, shuffled_mae)
        assert time_mae.mean() - np.mean(shuffled_mae) > 10


@pytest.fixture(scope="module")
def tuning_data(churn):
    features, y, _ = churn
    X_train, _, y_train, _ = train_test_split(features, y, test_size=0.25, stratify=y, random_state=0)
    return train_test_split(X_train.to_numpy(float), y_train, train_size=1500, stratify=y_train, random_state=0)


@pytest.fixture(scope="module")
def searches(tuning_data):
    tune_fit, tune_valid, y_fit, y_valid = tuning_data

    def objective(trial):
        model = HistGradientBoostingClassifier(**suggest_hyperparameters(trial), max_iter=TRIAL_ITERATIONS,
                                               early_stopping=False, random_state=0)
        model.fit(tune_fit, y_fit)
        return log_loss(y_valid, model.predict_proba(tune_valid)[:, 1])

    studies = {}
    for seed in SAMPLER_SEEDS:
        for name, sampler in (("random", optuna.samplers.RandomSampler(seed=seed)),
                              ("bayesian", optuna.samplers.TPESampler(seed=seed))):
            studies[name, seed] = optuna.create_study(direction="minimize", sampler=sampler)
            studies[name, seed].optimize(objective, n_trials=BUDGET)
    return studies


@pytest.mark.parametrize("seed", SAMPLER_SEEDS)
def test_bayesian_search_spends_its_later_trials_better_for_a_final_best_within_noise(searches, seed):
    later = {name: np.median([t.value for t in searches[name, seed].trials[STARTUP:]])
             for name in ("random", "bayesian")}
    final = {name: searches[name, seed].best_value for name in ("random", "bayesian")}
    assert later["random"] - later["bayesian"] > 0.03, later
    assert abs(final["random"] - final["bayesian"]) < 0.01, final


@pytest.mark.parametrize("seed", SAMPLER_SEEDS)
def test_hyperband_builds_fewer_trees_for_the_same_best(tuning_data, searches, seed):
    tune_fit, tune_valid, y_fit, y_valid = tuning_data

    def pruned(trial):
        model = HistGradientBoostingClassifier(**suggest_hyperparameters(trial), max_iter=STEP, warm_start=True,
                                               early_stopping=False, random_state=0)
        for trees in range(STEP, TRIAL_ITERATIONS + 1, STEP):
            model.set_params(max_iter=trees)
            model.fit(tune_fit, y_fit)
            loss = log_loss(y_valid, model.predict_proba(tune_valid)[:, 1])
            trial.report(loss, step=trees)
            if trial.should_prune():
                trial.set_user_attr("trees", trees)
                raise optuna.TrialPruned()
        trial.set_user_attr("trees", trees)
        return loss

    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=seed),
                                pruner=optuna.pruners.HyperbandPruner(min_resource=STEP, max_resource=TRIAL_ITERATIONS),
                                study_name=f"hyperband-{seed}")  # brackets are assigned by hashing the name
    study.optimize(pruned, n_trials=BUDGET)
    trees = sum(t.user_attrs["trees"] for t in study.trials)
    assert trees < 0.9 * BUDGET * TRIAL_ITERATIONS, trees
    assert abs(study.best_value - searches["bayesian", seed].best_value) < 0.005


@pytest.mark.parametrize("seed", SPLIT_SEEDS)
def test_ensembles_gain_a_little_at_the_edge_of_the_noise(churn, seed):
    features, y, is_categorical = churn
    X_train, X_test, y_train, y_test = train_test_split(features, y, test_size=0.25, stratify=y, random_state=seed)
    tuned = {"learning_rate": 0.1904, "max_leaf_nodes": 13, "min_samples_leaf": 7, "l2_regularization": 3.8735,
             "max_features": 0.3334}  # the lab's tuned model (Bayesian search, seed 0)
    logistic = make_pipeline(
        ColumnTransformer([("onehot", OneHotEncoder(handle_unknown="ignore"), is_categorical)],
                          remainder=make_pipeline(SimpleImputer(strategy="median"), StandardScaler())),
        LogisticRegression(max_iter=1000),
    )
    members = {
        "logistic": logistic,
        "boosting": HistGradientBoostingClassifier(max_iter=20, early_stopping=False, random_state=seed, **tuned),
        "forest": RandomForestClassifier(n_estimators=60, min_samples_leaf=10, random_state=seed, n_jobs=1),
    }
    # Soft voting and stacking computed from the members, as VotingClassifier and StackingClassifier(cv=3) do,
    # without refitting the members a second time.
    test_scores = np.column_stack([m.fit(X_train, y_train).predict_proba(X_test)[:, 1] for m in members.values()])
    out_of_fold = np.column_stack([cross_val_predict(clone(m), X_train, y_train, cv=3, method="predict_proba")[:, 1]
                                   for m in members.values()])
    stacked = LogisticRegression().fit(out_of_fold, y_train).predict_proba(test_scores)[:, 1]
    best = test_scores[:, int(np.argmax([roc_auc_score(y_test, column) for column in test_scores.T]))]
    for name, ensemble in (("soft voting", test_scores.mean(axis=1)), ("stacking", stacked)):
        gain = _gain(y_test, ensemble, best, seed)
        assert 0 < gain.mean < 0.01 and gain.low < 0.002, (name, gain)
