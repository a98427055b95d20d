"""The guarantee graph: frozen assets, counter-guarantees, the cases they secure and the
milestones that settle those cases.

A freeze may be lifted when the frozen party or a third party gives full and effective
security (民事诉讼法 art. 107; 最高人民法院关于人民法院办理财产保全案件若干问题的规定 art. 22).
Security is effective only when it does not rest on the frozen party itself: a guarantee
the frozen assets' owner gives for itself (自保), or guarantees that back one another in a
circle (担保圈, 互保), add nothing by default (policy ``exclude``). The court's practice on
guarantee circles follows the banking regulators' warnings on 担保圈/担保链 contagion.

This module reads a scenario (plain JSON-like data), refuses anything a judge could not
act on (unknown or duplicate ids, negative or fractional amounts, missing fields, unknown
predecessors, cycles in ``after``) with :class:`ScenarioError` naming the field. networkx
answers the two graph questions: which guarantees back one another in a circle (the
``backed_by`` digraph, guarantee → guarantee or asset behind it) and in which order the
obligations fall due (the ``after`` digraph).

Amounts are integer fen. Every id lives in one namespace (a guarantee's ``backed_by`` may
name an asset or a guarantee, so the two must never be confused).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping

import networkx as nx

# Largest single amount accepted: 10^15 fen = 10万亿元, beyond the balance sheet of any
# developer in China; it keeps every sum of a realistic scenario inside int64 arithmetic.
MAX_AMOUNT_FEN = 10**15
# Largest total of all amounts in one scenario; numpy's int64 holds 9.2e18, and the flow
# solver adds capacities of several items, so we stop well below.
MAX_TOTAL_FEN = 2**62

POLICY_EXCLUDE = "exclude"
POLICY_INCLUDE = "include"
CIRCULAR_POLICIES = (POLICY_EXCLUDE, POLICY_INCLUDE)

# A judge cannot read more circles than this in one plan; exclusion itself relies on the
# strongly connected components, never on this list, so truncating it changes no figure.
MAX_REPORTED_CYCLES = 1000


class ScenarioError(ValueError):
    """The scenario cannot be planned; ``field`` names the offending input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Case:
    id: str
    exposure: int  # fen still owed or at stake


@dataclass(frozen=True)
class Asset:
    id: str
    owner: str
    kind: str
    value: int  # frozen value in fen
    secures: tuple[str, ...]
    # An apartment or an equity stake is released whole or not at all ("sell one unit,
    # unseal one"); money in an account can be released to the fen.
    divisible: bool = True
    # False for the disputed property itself while the applicant has not consented to its
    # release (保全规定 art. 22): it secures its cases but is never released.
    release_allowed: bool = True


@dataclass(frozen=True)
class Guarantee:
    id: str
    provider: str
    kind: str
    value: int
    secures: tuple[str, ...]
    backed_by: tuple[str, ...] = ()
    # The stage from which the guarantee is posted (1 = before the plan starts). A
    # guarantee the court receives while the plan is under way is not there earlier.
    from_stage: int = 1


@dataclass(frozen=True)
class Obligation:
    id: str
    owner: str
    cost: int
    reduces: Mapping[str, int]
    after: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scenario:
    cases: tuple[Case, ...]
    assets: tuple[Asset, ...]
    guarantees: tuple[Guarantee, ...]
    obligations: tuple[Obligation, ...]
    cash: Mapping[str, int] = field(default_factory=dict)
    circular_guarantees: str = POLICY_EXCLUDE

    def owners(self) -> list[str]:
        """Every party that holds cash: named in ``cash``, owning an asset or an obligation."""
        seen: dict[str, None] = {}
        for owner in self.cash:
            seen.setdefault(owner)
        for asset in self.assets:
            seen.setdefault(asset.owner)
        for obligation in self.obligations:
            seen.setdefault(obligation.owner)
        return list(seen)


#: Why a guarantee adds no security (the ``rule`` of an :class:`Exclusion`).
RULE_CIRCLE = "circle"  # backs and is backed by the same guarantees (担保圈), policy exclude
RULE_SELF_GIVEN = "self_given"  # given by the owner of frozen assets for itself, policy exclude
RULE_FROZEN_ASSET = "frozen_asset"  # rests (at any depth) on a frozen asset of the scenario
RULE_EXCLUDED_BACKER = "excluded_guarantee"  # rests (at any depth) on an excluded guarantee


@dataclass(frozen=True)
class Exclusion:
    """One guarantee that adds no security: the rule, and for the ``backed_by`` rules the
    chain from the guarantee to the frozen asset or excluded guarantee it rests on."""

    guarantee: str
    rule: str
    path: tuple[str, ...] = ()


@dataclass(frozen=True)
class GuaranteeScreening:
    """Which guarantees add no security, and why."""

    excluded: tuple[str, ...]
    cycles: tuple[tuple[str, ...], ...]
    circular: frozenset[str]
    self_given: frozenset[str]
    exclusions: tuple[Exclusion, ...] = ()


# --------------------------------------------------------------------------- reading


def _quote(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _require(obj: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in obj:
        raise ScenarioError(f"{where}.{key}", "missing field")
    return obj[key]


def _object(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ScenarioError(where, f"must be an object, got {_quote_type(value)}")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise ScenarioError(where, f"must be a list, got {_quote_type(value)}")
    return value


def _quote_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the string {_quote(value)}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return type(value).__name__


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ScenarioError(where, f"must be a non-empty string, got {_quote_type(value)}")
    return value


def _amount(value: Any, where: str) -> int:
    """An amount in fen: a non-negative JSON integer (1.0, "5", true are all refused)."""
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float):
            raise ScenarioError(where, f"must be an integer number of fen, got {value!r}")
        raise ScenarioError(where, f"must be an integer number of fen, got {_quote_type(value)}")
    if value < 0:
        raise ScenarioError(where, f"must not be negative, got {value}")
    if value > MAX_AMOUNT_FEN:
        raise ScenarioError(where, f"exceeds the largest accepted amount {MAX_AMOUNT_FEN} fen")
    return value


def _flag(raw: Mapping[str, Any], key: str, where: str) -> bool:
    """An optional JSON boolean (default true); 1, "false" and null are refused."""
    value = raw.get(key, True)
    if not isinstance(value, bool):
        raise ScenarioError(f"{where}.{key}", f"must be true or false, got {_quote_type(value)}")
    return value


def _id_list(value: Any, where: str) -> tuple[str, ...]:
    items = _list(value, where)
    seen: set[str] = set()
    for i, item in enumerate(items):
        _text(item, f"{where}[{i}]")
        if item in seen:
            raise ScenarioError(f"{where}[{i}]", f"{_quote(item)} is listed twice")
        seen.add(item)
    return tuple(items)


def parse_scenario(data: Any) -> Scenario:
    """Check a decoded JSON scenario and turn it into dataclasses."""
    root = _object(data, "scenario")
    for key in ("cases", "assets", "guarantees", "obligations", "cash"):
        _require(root, key, "scenario")

    ids: dict[str, str] = {}  # id -> where it was declared

    def declare(raw: Mapping[str, Any], where: str) -> str:
        ident = _text(_require(raw, "id", where), f"{where}.id")
        if ident in ids:
            raise ScenarioError(f"{where}.id", f"duplicate id {_quote(ident)} (also {ids[ident]})")
        ids[ident] = where
        return ident

    cases: list[Case] = []
    for i, raw in enumerate(_list(root["cases"], "cases")):
        where = f"cases[{i}]"
        raw = _object(raw, where)
        ident = declare(raw, where)
        cases.append(Case(ident, _amount(_require(raw, "exposure", where), f"{where}.exposure")))
    case_ids = {case.id for case in cases}

    def known_cases(raw: Mapping[str, Any], where: str) -> tuple[str, ...]:
        secures = _id_list(_require(raw, "secures", where), f"{where}.secures")
        for j, case_id in enumerate(secures):
            if case_id not in case_ids:
                raise ScenarioError(f"{where}.secures[{j}]", f"unknown case {_quote(case_id)}")
        return secures

    def kind_of(raw: Mapping[str, Any], where: str) -> str:
        return _text(raw["kind"], f"{where}.kind") if "kind" in raw else ""

    assets: list[Asset] = []
    for i, raw in enumerate(_list(root["assets"], "assets")):
        where = f"assets[{i}]"
        raw = _object(raw, where)
        ident = declare(raw, where)
        assets.append(
            Asset(
                id=ident,
                owner=_text(_require(raw, "owner", where), f"{where}.owner"),
                kind=kind_of(raw, where),
                value=_amount(_require(raw, "value", where), f"{where}.value"),
                secures=known_cases(raw, where),
                divisible=_flag(raw, "divisible", where),
                release_allowed=_flag(raw, "release_allowed", where),
            )
        )

    raw_guarantees = _list(root["guarantees"], "guarantees")
    guarantee_backers: list[tuple[str, Any]] = []
    guarantees: list[Guarantee] = []
    for i, raw in enumerate(raw_guarantees):
        where = f"guarantees[{i}]"
        raw = _object(raw, where)
        ident = declare(raw, where)
        from_stage = raw.get("from_stage", 1)
        if isinstance(from_stage, bool) or not isinstance(from_stage, int) or from_stage < 1:
            raise ScenarioError(f"{where}.from_stage", f"must be a stage number >= 1, got {_quote_type(from_stage)}")
        backed_by = _id_list(raw.get("backed_by", []), f"{where}.backed_by")
        guarantee_backers.append((where, backed_by))
        guarantees.append(
            Guarantee(
                id=ident,
                provider=_text(_require(raw, "provider", where), f"{where}.provider"),
                kind=kind_of(raw, where),
                value=_amount(_require(raw, "value", where), f"{where}.value"),
                secures=known_cases(raw, where),
                backed_by=backed_by,
                from_stage=from_stage,
            )
        )
    backer_ids = {a.id for a in assets} | {g.id for g in guarantees}
    for where, backed_by in guarantee_backers:
        for j, backer in enumerate(backed_by):
            if backer not in backer_ids:
                raise ScenarioError(f"{where}.backed_by[{j}]", f"unknown guarantee or asset {_quote(backer)}")

    obligations: list[Obligation] = []
    raw_after: list[Any] = []
    for i, raw in enumerate(_list(root["obligations"], "obligations")):
        where = f"obligations[{i}]"
        raw = _object(raw, where)
        ident = declare(raw, where)
        reduces_raw = _object(_require(raw, "reduces", where), f"{where}.reduces")
        reduces: dict[str, int] = {}
        for case_id, amount in reduces_raw.items():
            if case_id not in case_ids:
                raise ScenarioError(f"{where}.reduces", f"unknown case {_quote(case_id)}")
            reduces[case_id] = _amount(amount, f"{where}.reduces.{case_id}")
        after = _id_list(raw.get("after", []), f"{where}.after")
        raw_after.append(after)
        obligations.append(
            Obligation(
                id=ident,
                owner=_text(_require(raw, "owner", where), f"{where}.owner"),
                cost=_amount(_require(raw, "cost", where), f"{where}.cost"),
                reduces=reduces,
                after=after,
            )
        )
    obligation_ids = {o.id for o in obligations}
    for i, after in enumerate(raw_after):
        for j, predecessor in enumerate(after):
            if predecessor not in obligation_ids:
                raise ScenarioError(f"obligations[{i}].after[{j}]", f"unknown predecessor {_quote(predecessor)}")

    owners = {a.owner for a in assets} | {o.owner for o in obligations}
    cash: dict[str, int] = {}
    for owner, amount in _object(root["cash"], "cash").items():
        if owner not in owners:
            raise ScenarioError(f"cash.{owner}", f"unknown owner {_quote(owner)}: no asset or obligation belongs to it")
        cash[owner] = _amount(amount, f"cash.{owner}")

    policy = _object(root.get("policy", {}), "policy")
    for key in policy:
        if key != "circular_guarantees":
            raise ScenarioError(f"policy.{key}", "unknown policy")
    circular = policy.get("circular_guarantees", POLICY_EXCLUDE)
    if circular not in CIRCULAR_POLICIES:
        raise ScenarioError(
            "policy.circular_guarantees", f"must be one of {', '.join(CIRCULAR_POLICIES)}, got {_quote_type(circular)}"
        )

    total = (
        sum(c.exposure for c in cases)
        + sum(a.value for a in assets)
        + sum(g.value for g in guarantees)
        + sum(o.cost for o in obligations)
        + sum(cash.values())
    )
    if total > MAX_TOTAL_FEN:
        raise ScenarioError("scenario", f"amounts add up to {total} fen, more than {MAX_TOTAL_FEN}")

    scenario = Scenario(tuple(cases), tuple(assets), tuple(guarantees), tuple(obligations), cash, circular)
    order_obligations(scenario)  # refuses cycles in ``after``
    return scenario


def read_scenario(text: str) -> Scenario:
    """Parse scenario JSON text; syntax errors become a :class:`ScenarioError` too."""
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise ScenarioError("scenario", f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise ScenarioError("scenario", "nested too deeply to be a scenario") from None
    except ScenarioError:  # NaN or Infinity, refused by _refuse_constant
        raise
    except ValueError as exc:  # a number of more than 4,300 digits (sys.int_info)
        raise ScenarioError("scenario", f"not valid JSON: {exc}") from None
    return parse_scenario(data)


def _refuse_constant(name: str) -> Any:
    raise ScenarioError("scenario", f"{name} is not a number of fen")


# --------------------------------------------------------------------------- the graph


def order_obligations(scenario: Scenario) -> list[str]:
    """Obligations in precedence order, ties broken by their order in the scenario."""
    precedence = nx.DiGraph()
    precedence.add_nodes_from(o.id for o in scenario.obligations)
    for obligation in scenario.obligations:
        precedence.add_edges_from((pred, obligation.id) for pred in obligation.after)
    index = {o.id: i for i, o in enumerate(scenario.obligations)}
    try:
        return list(nx.lexicographical_topological_sort(precedence, key=index.__getitem__))
    except nx.NetworkXUnfeasible:
        cycle = nx.find_cycle(precedence)
        path = [u for u, _ in cycle] + [cycle[0][0]]
        first = min(path[:-1], key=index.__getitem__)
        raise ScenarioError(
            f"obligations[{index[first]}].after", "cycle in precedence: " + " → ".join(path)
        ) from None


def screen_guarantees(scenario: Scenario) -> GuaranteeScreening:
    """Find the guarantees that add no security, and say why.

    * Guarantee circles (担保圈) and self-given guarantees, under policy ``exclude``: security
      that rests on the frozen party itself is not "full and effective" (保全规定 art. 22).
    * Under any policy, a guarantee that rests on a frozen asset of the scenario — its
      ``backed_by`` names one, directly or through other guarantees — or on a guarantee
      excluded by the rules above: a bank letter backed by the frozen account itself
      secures nothing that account does not already secure.
    """
    index = {g.id: i for i, g in enumerate(scenario.guarantees)}
    # guarantee → the guarantee or asset standing behind it
    backing = nx.DiGraph()
    backing.add_nodes_from(g.id for g in scenario.guarantees)
    backing.add_edges_from((g.id, backer) for g in scenario.guarantees for backer in g.backed_by)
    circular: set[str] = set()
    for component in nx.strongly_connected_components(backing):
        if len(component) > 1:
            circular |= component
    circular |= {u for u, v in nx.selfloop_edges(backing)}
    circular &= set(index)  # an asset never backs anything, so it is never on a circle

    cycles: list[tuple[str, ...]] = []
    if circular:
        for cycle in nx.simple_cycles(backing.subgraph(circular)):
            start = min(range(len(cycle)), key=lambda k: index[cycle[k]])
            cycles.append(tuple(cycle[start:] + cycle[:start]))
            if len(cycles) >= MAX_REPORTED_CYCLES:
                break
        cycles.sort(key=lambda c: (len(c), [index[g] for g in c]))

    frozen_owners = {asset.owner for asset in scenario.assets}
    self_given = {g.id for g in scenario.guarantees if g.provider in frozen_owners}
    reasons: dict[str, Exclusion] = {}
    if scenario.circular_guarantees == POLICY_EXCLUDE:
        for g in scenario.guarantees:
            if g.id in circular:
                reasons[g.id] = Exclusion(g.id, RULE_CIRCLE)
            elif g.id in self_given:
                reasons[g.id] = Exclusion(g.id, RULE_SELF_GIVEN)
    # What each remaining guarantee rests on, at any depth: the nearest frozen asset or
    # already excluded guarantee behind it (breadth first, so the chain shown is shortest).
    assets = [a.id for a in scenario.assets if backing.has_node(a.id)]
    excluded_first = [g for g in reasons]
    if assets or excluded_first:
        behind = backing.reverse(copy=False)
        _, paths = nx.multi_source_dijkstra(behind, [*assets, *excluded_first])
        for g in scenario.guarantees:
            if g.id in reasons or g.id not in paths:
                continue
            chain = tuple(reversed(paths[g.id]))
            rule = RULE_FROZEN_ASSET if chain[-1] not in index else RULE_EXCLUDED_BACKER
            reasons[g.id] = Exclusion(g.id, rule, chain)
    exclusions = tuple(reasons[g.id] for g in scenario.guarantees if g.id in reasons)
    return GuaranteeScreening(
        excluded=tuple(e.guarantee for e in exclusions),
        cycles=tuple(cycles),
        circular=frozenset(circular),
        self_given=frozenset(self_given),
        exclusions=exclusions,
    )


def effective_guarantees(scenario: Scenario, screening: GuaranteeScreening) -> list[Guarantee]:
    """Guarantees that count as security under the scenario's policy."""
    excluded = set(screening.excluded)
    return [g for g in scenario.guarantees if g.id not in excluded]
