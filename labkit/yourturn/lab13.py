"""Self-checks of Lab 13's "Your turn" tasks whose expected value would give the answer away.

Each check prints one line that starts with ``Correct``, ``Your guess``, ``Not yet`` or ``Not quite``
and returns True or False; it never raises on the learner's value (see ``labkit.yourturn``).
"""

from __future__ import annotations

import botocore.exceptions

from labkit.awsoffline import call_with_backoff, role_not_yet_assumable
from labkit.yourturn import check_choice, check_guess, check_true, not_written

__all__ = ["CANARY_OPTIONS", "check_backoff_guess", "check_canary_verdict", "check_new_fleet_dimensions",
           "measured_give_up_wait"]

CANARY_OPTIONS = {
    "both accept": "botocore and AWS both accept it",
    "offline accepts, AWS refuses": "botocore accepts it and AWS refuses it",
    "offline refuses": "botocore refuses it before anything is sent",
}


def measured_give_up_wait() -> float:
    """Seconds `call_with_backoff` waits, with its defaults, before giving up on a role that never works."""
    refusal = botocore.exceptions.ClientError(
        {"Error": {"Code": "ValidationException", "Message": "Could not assume role mla-course-example."}},
        "CreateTrainingJob",
    )

    def always_refused() -> None:
        raise refusal

    waits: list[float] = []
    try:
        call_with_backoff(always_refused, retry_if=role_not_yet_assumable, sleep=waits.append)
    except botocore.exceptions.ClientError:
        return float(sum(waits))
    raise AssertionError("call_with_backoff returned for a call that always fails")


def check_backoff_guess(guess: float | None) -> bool:
    """Check `max_wait_guess` against the measured total wait before `call_with_backoff` gives up."""
    return check_guess(guess, measured_give_up_wait(), name="max_wait_guess",
                       what="the total wait in seconds", tolerance=3, unit="s", digits=0)


def check_new_fleet_dimensions(value: object, endpoint: str, variant: str, config: str) -> bool:
    """Check `new_fleet_dimensions`: EndpointName, VariantName and the new EndpointConfigName, nothing else."""

    def as_dict() -> dict:
        return {item["Name"]: item["Value"] for item in value}  # type: ignore[union-attr]

    def well_formed() -> bool:
        return isinstance(value, list) and all(isinstance(i, dict) and set(i) == {"Name", "Value"} for i in value)

    return check_true(
        [
            (lambda: not not_written(value), "`new_fleet_dimensions` is still the placeholder: write the list."),
            (well_formed, 'write a list of {"Name": ..., "Value": ...} dictionaries, the form PutMetricAlarm takes.'),
            (lambda: len(as_dict()) == len(value), "each dimension name should appear once."),  # type: ignore[arg-type]
            (lambda: as_dict().get("EndpointName") == endpoint and as_dict().get("VariantName") == variant,
             "the alarm must still name the endpoint and the variant (EndpointName and VariantName)."),
            (lambda: "EndpointConfigName" in as_dict(),
             "a dimension is missing: which one tells the two fleets apart?"),
            (lambda: as_dict()["EndpointConfigName"] == config,
             "EndpointConfigName should name the new configuration, the one the update moves to."),
            (lambda: len(as_dict()) == 3, "keep exactly the three dimensions."),
        ],
        name="new_fleet_dimensions",
        success="the alarm counts only the errors of the fleet that runs the new configuration.",
    )


def check_canary_verdict(verdict: str | None) -> bool:
    """Check `canary_75_verdict`: what a 75 % canary meets offline and on AWS."""
    return check_choice(verdict, "offline accepts, AWS refuses", name="canary_75_verdict", options=CANARY_OPTIONS,
                        why="botocore's model only requires a value of at least 1; the 50 % limit is AWS's rule.")
