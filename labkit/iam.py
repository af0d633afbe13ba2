"""IAM policies for teaching: parse a policy, check it for least privilege, simulate a decision.

Three tools, each small enough to read in one sitting:

- `parse_policy` turns policy JSON (a string or a dict) into a `Policy`, and raises `PolicyError`
  with the place and the fix when the document is malformed: bad JSON, no `Version`, an unknown
  `Effect`, a misspelt element name.
- `least_privilege_findings` is a hand-written check of the rules a reviewer applies first: name
  every action (no wildcards), name every resource (no `*` unless the action supports no
  resource-level permissions), never allow `NotAction` or `NotResource`, and constrain
  `iam:PassRole` to named roles and to one service with `iam:PassedToService`.
- `evaluate` decides a request against identity-based policies and one resource-based policy of
  the same account: an applicable explicit `Deny` wins, otherwise an applicable `Allow` allows,
  otherwise the request is implicitly denied. Conditions are evaluated for the string, ARN, `Bool`
  and `Null` operators, with the `ForAllValues:` and `ForAnyValue:` set qualifiers. A role's trust
  policy is a resource-based policy whose statements name no `Resource` (the role is the resource).
- `sagemaker_trust_policy` and `sagemaker_vpc_statement` write the two documents a SageMaker
  execution role needs besides its data access, as Lab 12 shows them: a trust policy with the
  confused-deputy conditions, and the EC2 permissions for jobs and models that run in a VPC.

Scope: this is teaching code. AWS's real evaluation has more steps (AWS Organizations SCPs and
RCPs, permissions boundaries, session policies, cross-account rules, policy variables, `...IfExists`
operators, numeric, date and IP operators, `NotPrincipal`). It never calls AWS and must not be used
to approve a production policy: use IAM Access Analyzer policy validation and the IAM policy
simulator for that.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

VERSIONS = ("2012-10-17", "2008-10-17")
EFFECTS = ("Allow", "Deny")
STATEMENT_ELEMENTS = (
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
)
PASS_ROLE = "iam:PassRole"
PASSED_TO_SERVICE = "iam:PassedToService"

# Base operator -> (how values are compared, whether the operator is negated).
_OPERATORS: dict[str, tuple[str, bool]] = {
    "StringEquals": ("exact", False),
    "StringNotEquals": ("exact", True),
    "StringEqualsIgnoreCase": ("exact_ignore_case", False),
    "StringNotEqualsIgnoreCase": ("exact_ignore_case", True),
    "StringLike": ("glob", False),
    "StringNotLike": ("glob", True),
    "ArnEquals": ("glob", False),
    "ArnLike": ("glob", False),
    "ArnNotEquals": ("glob", True),
    "ArnNotLike": ("glob", True),
    "Bool": ("bool", False),
}
SET_QUALIFIERS = ("ForAllValues", "ForAnyValue")
SUPPORTED_OPERATORS = (*_OPERATORS, "Null")

RULES = {
    "WILDCARD_ACTION": "an Allow names actions with a wildcard: list each action the workload calls",
    "WILDCARD_RESOURCE": "an Allow uses Resource '*' for actions that support resource ARNs: name the ARNs",
    "NOT_ACTION_ALLOW": "NotAction with Allow grants every action not listed, including future ones",
    "NOT_RESOURCE_ALLOW": "NotResource with Allow grants every resource not listed",
    "PASSROLE_UNSCOPED": "iam:PassRole on a wildcard resource lets the caller hand any role to a service",
    "PASSROLE_ANY_SERVICE": "iam:PassRole without an iam:PassedToService condition lets any service get the role",
}


class PolicyError(ValueError):
    """A policy document that is not a well-formed IAM policy (or uses an element out of scope)."""


class ConditionError(ValueError):
    """A condition that the teaching evaluator cannot evaluate."""


@dataclass(frozen=True)
class Condition:
    """One operator-key pair of a Condition block, e.g. Bool aws:SecureTransport ["false"]."""

    operator: str
    key: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Statement:
    """One statement; list elements are tuples, `principals` is None when there is no Principal."""

    sid: str
    effect: str
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    not_resources: tuple[str, ...] = ()
    principals: tuple[str, ...] | None = None
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class Policy:
    """A parsed policy document."""

    version: str
    statements: tuple[Statement, ...]


@dataclass(frozen=True)
class Finding:
    """One least-privilege finding: which rule, in which statement, and what to change."""

    rule: str
    sid: str
    detail: str


@dataclass(frozen=True)
class Request:
    """A request to decide: who asks, for which action on which resource, with which context keys.

    Context values are strings, booleans or lists of strings (for multivalued keys such as
    `sagemaker:VpcSubnets`). Context key names are matched case-insensitively, as in IAM.
    """

    principal: str
    action: str
    resource: str
    context: Mapping[str, str | bool | Sequence[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if ":" not in self.action:
            raise ValueError(f"request action {self.action!r} must look like 'service:Action', e.g. 's3:GetObject'")
        for name in ("principal", "resource"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name):
                raise ValueError(f"request {name} must be a non-empty string (an ARN)")


@dataclass(frozen=True)
class Decision:
    """The outcome of `evaluate`: 'Allow', 'ExplicitDeny' or 'ImplicitDeny', and the deciding Sids."""

    outcome: str
    statements: tuple[str, ...] = ()

    @property
    def allowed(self) -> bool:
        return self.outcome == "Allow"


# --------------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------------


def parse_policy(document: str | Mapping[str, Any]) -> Policy:
    """Parse and validate an IAM policy given as JSON text or as an already-decoded dict.

    Raises `PolicyError` naming the problem and the fix for: malformed JSON, a document that is
    not an object, a missing or unknown `Version`, a missing `Statement`, an unknown element name,
    an `Effect` other than `Allow`/`Deny`, a statement with neither or both of `Action`/`NotAction`
    (or `Resource`/`NotResource`), an action without a service prefix, and a malformed `Condition`.
    A statement with a `Principal` may leave out `Resource`, as a role's trust policy does: it then
    applies to whatever resource the policy is attached to.
    """
    if isinstance(document, str):
        try:
            document = json.loads(document)
        except json.JSONDecodeError as error:
            raise PolicyError(
                f"policy is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg}); "
                "check quotes, commas and brackets"
            ) from None
    if not isinstance(document, Mapping):
        raise PolicyError(f"a policy must be a JSON object, got {type(document).__name__}")
    if "Version" not in document:
        raise PolicyError('policy has no "Version": add "Version": "2012-10-17", the current policy language version')
    version = document["Version"]
    if version not in VERSIONS:
        raise PolicyError(f"unknown Version {version!r}: use one of {VERSIONS} (normally '2012-10-17')")
    if "Statement" not in document:
        raise PolicyError('policy has no "Statement": add a list of statements')
    raw = document["Statement"]
    raw_statements = [raw] if isinstance(raw, Mapping) else raw
    if not isinstance(raw_statements, list) or not raw_statements:
        raise PolicyError('"Statement" must be a statement object or a non-empty list of them')
    statements = tuple(_parse_statement(item, index) for index, item in enumerate(raw_statements, start=1))
    sids = [s.sid for s in statements]
    duplicates = sorted({sid for sid in sids if sids.count(sid) > 1})
    if duplicates:
        raise PolicyError(f"duplicate Sid {duplicates}: give every statement its own Sid")
    return Policy(version=version, statements=statements)


def _parse_statement(item: Any, index: int) -> Statement:
    if not isinstance(item, Mapping):
        raise PolicyError(f"statement {index} must be an object, got {type(item).__name__}")
    sid = item.get("Sid", f"#{index}")
    where = f"statement {index} (Sid {sid!r})"
    unknown = sorted(set(item) - set(STATEMENT_ELEMENTS))
    if unknown:
        raise PolicyError(f"{where}: unknown element(s) {unknown}; allowed elements are {list(STATEMENT_ELEMENTS)}")
    effect = item.get("Effect")
    if effect not in EFFECTS:
        raise PolicyError(f"{where}: Effect must be 'Allow' or 'Deny' (case-sensitive), got {effect!r}")
    if "NotPrincipal" in item:
        raise PolicyError(f"{where}: NotPrincipal is valid IAM but outside this teaching module's scope")
    actions, not_actions = _exactly_one_of(item, "Action", "NotAction", where)
    for action in (*actions, *not_actions):
        if action != "*" and ":" not in action:
            raise PolicyError(f"{where}: action {action!r} needs a service prefix, e.g. 's3:GetObject'")
    if "Principal" in item and "Resource" not in item and "NotResource" not in item:
        # A role's trust policy: the statement applies to the role the policy is attached to.
        resources, not_resources = (), ()
    else:
        resources, not_resources = _exactly_one_of(item, "Resource", "NotResource", where)
    return Statement(
        sid=sid,
        effect=effect,
        actions=actions,
        not_actions=not_actions,
        resources=resources,
        not_resources=not_resources,
        principals=_parse_principal(item["Principal"], where) if "Principal" in item else None,
        conditions=_parse_conditions(item.get("Condition", {}), where),
    )


def _exactly_one_of(item: Mapping[str, Any], name: str, negated: str, where: str) -> tuple[tuple, tuple]:
    if (name in item) == (negated in item):
        raise PolicyError(f"{where}: give exactly one of {name!r} and {negated!r}")
    return _strings(item.get(name, ()), name, where), _strings(item.get(negated, ()), negated, where)


def _strings(value: Any, name: str, where: str) -> tuple[str, ...]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) and v for v in values):
        raise PolicyError(f"{where}: {name} must be a string or a list of non-empty strings")
    return tuple(values)


def _parse_principal(principal: Any, where: str) -> tuple[str, ...]:
    if principal == "*":
        return ("*",)
    if not isinstance(principal, Mapping) or not principal:
        raise PolicyError(f'{where}: Principal must be \'*\' or an object such as {{"AWS": "arn:..."}}')
    found: list[str] = []
    for kind, value in principal.items():
        found.extend(_strings(value, f"Principal.{kind}", where))
    return tuple(found)


def _parse_conditions(block: Any, where: str) -> tuple[Condition, ...]:
    if not isinstance(block, Mapping):
        raise PolicyError(f"{where}: Condition must be an object of operator -> {{key: value(s)}}")
    conditions = []
    for operator, pairs in block.items():
        if not isinstance(pairs, Mapping) or not pairs:
            raise PolicyError(f"{where}: Condition operator {operator!r} must map to an object of key -> value(s)")
        for key, value in pairs.items():
            values = value if isinstance(value, list) else [value]
            if not values or not all(isinstance(v, str | bool | int | float) for v in values):
                raise PolicyError(f"{where}: condition {operator} {key} needs string, boolean or number values")
            conditions.append(Condition(operator, key, tuple(_as_text(v) for v in values)))
    return tuple(conditions)


def _as_text(value: str | bool | int | float) -> str:
    # IAM accepts JSON true/false in conditions and compares them as the strings "true"/"false".
    return str(value).lower() if isinstance(value, bool) else str(value)


def _as_policy(policy: Policy | str | Mapping[str, Any]) -> Policy:
    return policy if isinstance(policy, Policy) else parse_policy(policy)


# --------------------------------------------------------------------------------------------
# Least-privilege check
# --------------------------------------------------------------------------------------------


@cache
def actions_without_resource_types() -> frozenset[str]:
    """Actions (lower-case 'service:action') that support no resource-level permissions.

    Read from the IAM action database that the pinned `parliament` linter ships
    (`parliament.iam_definition`, built from AWS's Service Authorization Reference). For these
    actions the only valid Resource is "*", so a `*` there is not a least-privilege violation.
    """
    import parliament

    found = set()
    for service in parliament.iam_definition:
        for privilege in service["privileges"]:
            if all(resource["resource_type"] == "" for resource in privilege["resource_types"]):
                found.add(f"{service['prefix']}:{privilege['privilege']}".lower())
    return frozenset(found)


def least_privilege_findings(
    policy: Policy | str | Mapping[str, Any],
    resource_star_actions: Collection[str] | None = None,
) -> list[Finding]:
    """Check the Allow statements of a policy against the rules in `RULES`; [] means it passes.

    `resource_star_actions` lists the actions for which Resource "*" is acceptable (matched
    case-insensitively); by default, the actions that support no resource-level permissions.
    Deny statements are not checked: a broad Deny narrows access, it never widens it.
    """
    parsed = _as_policy(policy)
    star_ok = (
        actions_without_resource_types()
        if resource_star_actions is None
        else frozenset(a.lower() for a in resource_star_actions)
    )
    findings: list[Finding] = []
    for statement in parsed.statements:
        if statement.effect == "Allow":
            findings.extend(_statement_findings(statement, star_ok))
    return findings


def _statement_findings(statement: Statement, star_ok: frozenset[str]) -> Iterable[Finding]:
    sid = statement.sid
    if statement.not_actions:
        yield Finding("NOT_ACTION_ALLOW", sid, f"NotAction {list(statement.not_actions)}")
    if statement.not_resources:
        yield Finding("NOT_RESOURCE_ALLOW", sid, f"NotResource {list(statement.not_resources)}")
    wildcard_actions = [a for a in statement.actions if _has_wildcard(a)]
    if wildcard_actions:
        yield Finding("WILDCARD_ACTION", sid, f"actions {wildcard_actions}")
    if any(_is_everything(r) for r in statement.resources):
        needs_arn = [a for a in statement.actions if _has_wildcard(a) or a.lower() not in star_ok]
        if needs_arn:
            yield Finding("WILDCARD_RESOURCE", sid, f"Resource '*' for {needs_arn}")
    grants_pass_role = any(_glob_match(a, PASS_ROLE, case_sensitive=False) for a in statement.actions)
    if grants_pass_role or statement.not_actions:
        wild_roles = [r for r in (*statement.resources, *statement.not_resources) if _has_wildcard(r)]
        if statement.not_resources or wild_roles:
            yield Finding("PASSROLE_UNSCOPED", sid, f"iam:PassRole on {wild_roles or list(statement.not_resources)}")
        if not any(
            c.key.lower() == PASSED_TO_SERVICE.lower() and "Not" not in c.operator for c in statement.conditions
        ):
            yield Finding("PASSROLE_ANY_SERVICE", sid, "iam:PassRole has no iam:PassedToService condition")


def _has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


def _is_everything(resource: str) -> bool:
    # "*" itself, or an ARN whose every part after the service is a wildcard, e.g. arn:aws:s3:::*
    parts = resource.split(":", 5)
    return resource == "*" or (len(parts) == 6 and all(p in ("", "*") for p in parts[3:5]) and parts[5] in ("*", "*/*"))


# --------------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------------


def evaluate(
    request: Request,
    identity_policies: Sequence[Policy | str | Mapping[str, Any]] = (),
    resource_policy: Policy | str | Mapping[str, Any] | None = None,
) -> Decision:
    """Decide a same-account request: an explicit Deny wins, then any Allow, else implicit deny.

    Identity-based policies have no Principal element; every statement of the resource-based
    policy must have one, and applies only when it names the request's principal (or "*").
    This is the core of IAM's logic only; see the module docstring for what it leaves out.
    """
    applicable: list[Statement] = []
    for policy in identity_policies:
        for statement in _as_policy(policy).statements:
            if statement.principals is not None:
                raise PolicyError(
                    f"identity-based policy statement {statement.sid!r} has a Principal; "
                    "pass a policy with Principal as resource_policy"
                )
            if statement_applies(statement, request):
                applicable.append(statement)
    if resource_policy is not None:
        for statement in _as_policy(resource_policy).statements:
            if statement.principals is None:
                raise PolicyError(f"resource-based policy statement {statement.sid!r} needs a Principal")
            if _principal_matches(statement.principals, request.principal) and statement_applies(statement, request):
                applicable.append(statement)
    denies = tuple(s.sid for s in applicable if s.effect == "Deny")
    if denies:
        return Decision("ExplicitDeny", denies)
    allows = tuple(s.sid for s in applicable if s.effect == "Allow")
    return Decision("Allow", allows) if allows else Decision("ImplicitDeny")


def statement_applies(statement: Statement, request: Request) -> bool:
    """True when the statement's action, resource and every condition match the request."""
    if statement.actions:
        action_ok = any(_glob_match(a, request.action, case_sensitive=False) for a in statement.actions)
    else:
        action_ok = not any(_glob_match(a, request.action, case_sensitive=False) for a in statement.not_actions)
    if statement.resources:
        resource_ok = any(_glob_match(r, request.resource, case_sensitive=True) for r in statement.resources)
    elif statement.not_resources:
        resource_ok = not any(_glob_match(r, request.resource, case_sensitive=True) for r in statement.not_resources)
    else:
        resource_ok = True  # a trust policy's statement: the resource is the role that carries the policy
    context = {key.lower(): value for key, value in request.context.items()}
    return action_ok and resource_ok and all(_condition_holds(c, context) for c in statement.conditions)


def _principal_matches(principals: tuple[str, ...], principal: str) -> bool:
    return "*" in principals or principal in principals


def _operator_parts(operator: str) -> tuple[str | None, str, bool]:
    """Split 'ForAllValues:StringEquals' into (qualifier, base operator, negated)."""
    qualifier, _, base = operator.rpartition(":")
    if qualifier and qualifier not in SET_QUALIFIERS:
        raise ConditionError(f"unknown set qualifier {qualifier!r} in {operator!r}: use one of {SET_QUALIFIERS}")
    if base == "Null":
        return qualifier or None, base, False
    if base not in _OPERATORS:
        raise ConditionError(
            f"operator {operator!r} is not supported by this teaching evaluator; supported: {SUPPORTED_OPERATORS} "
            f"(optionally prefixed by {SET_QUALIFIERS})"
        )
    return qualifier or None, base, _OPERATORS[base][1]


def _condition_holds(condition: Condition, context: Mapping[str, Any]) -> bool:
    qualifier, base, negated = _operator_parts(condition.operator)
    present = condition.key.lower() in context
    raw = context.get(condition.key.lower())
    if base == "Null":
        # Null "true" asks that the key is absent, "false" that it is present.
        return any((value == "true") == (not present) for value in condition.values)
    if qualifier == "ForAllValues":
        # AWS: ForAllValues is also true when the key is missing from the request.
        return (not present) or all(_single_holds(base, negated, v, condition.values) for v in _as_list(raw))
    if qualifier == "ForAnyValue":
        return present and any(_single_holds(base, negated, v, condition.values) for v in _as_list(raw))
    if not present:
        # A missing key matches nothing: positive operators are false, negated ones true.
        return negated
    if isinstance(raw, list | tuple):
        raise ConditionError(
            f"context key {condition.key!r} has several values; use ForAllValues:{base} or ForAnyValue:{base}"
        )
    return _single_holds(base, negated, raw, condition.values)


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _single_holds(base: str, negated: bool, value: Any, policy_values: tuple[str, ...]) -> bool:
    text = _as_text(value)
    mode = _OPERATORS[base][0]
    if mode == "exact":
        matched = text in policy_values
    elif mode == "exact_ignore_case":
        matched = text.lower() in {v.lower() for v in policy_values}
    elif mode == "bool":
        matched = text.lower() in {v.lower() for v in policy_values}
    else:
        matched = any(_glob_match(pattern, text, case_sensitive=True) for pattern in policy_values)
    # Several values are ORed; for a negated operator the result is NOR (true when none matches).
    return matched != negated


def _glob_match(pattern: str, text: str, case_sensitive: bool) -> bool:
    # IAM wildcards: * matches any run of characters, ? one character; nothing else is special.
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, text, flags=0 if case_sensitive else re.IGNORECASE) is not None


# --------------------------------------------------------------------------------------------
# Two documents a SageMaker execution role needs (shown and explained in Lab 12)
# --------------------------------------------------------------------------------------------


def sagemaker_trust_policy(account: str, region: str) -> dict:
    """A trust policy that lets SageMaker assume the role only when it acts for this account.

    aws:SourceAccount must be the account, and aws:SourceArn a SageMaker resource of that account in
    that Region: the confused-deputy conditions that SageMaker's documentation recommends.
    """
    if not (isinstance(account, str) and account.isdigit() and len(account) == 12):
        raise ValueError(f"account must be a 12-digit AWS account ID as a string, got {account!r}.")
    if not (isinstance(region, str) and re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", region)):
        raise ValueError(f"region must be a Region code such as 'us-east-1', got {region!r}.")
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "SageMakerActingForThisAccountOnly",
                "Effect": "Allow",
                "Principal": {"Service": "sagemaker.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": account},
                    "ArnLike": {"aws:SourceArn": f"arn:aws:sagemaker:{region}:{account}:*"},
                },
            }
        ],
    }


def sagemaker_vpc_statement(sid: str = "LetSageMakerReachTheVpc") -> dict:
    """The EC2 permissions an execution role needs when its job or model runs in a VPC.

    SageMaker creates network interfaces in the job's subnets as the execution role. The nine
    actions are those SageMaker's execution-role page lists, on Resource "*" as it lists them.
    """
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Action": [
            "ec2:CreateNetworkInterface",
            "ec2:CreateNetworkInterfacePermission",
            "ec2:DeleteNetworkInterface",
            "ec2:DeleteNetworkInterfacePermission",
            "ec2:DescribeNetworkInterfaces",
            "ec2:DescribeVpcs",
            "ec2:DescribeDhcpOptions",
            "ec2:DescribeSubnets",
            "ec2:DescribeSecurityGroups",
        ],
        "Resource": "*",
    }
