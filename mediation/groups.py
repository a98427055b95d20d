"""Group disputes (群体性纠纷): one building's complaints mediated together.

Go early, go on site: when several homeowners complain about the same project for the
same reason (e.g. 逾期交房 at one housing estate), the court gathers their complaints into
one group case and mediates them together on site, instead of hearing the same facts
again and again.

- A group is the open complaints about one project of one dispute type, two or more.
- With ten or more claimants it is a group dispute in the legal sense ("人数众多",
  民诉法解释 art. 75: generally ten or more), handled like a representative action
  (民事诉讼法, 代表人诉讼): the claimants choose two to five representatives
  (民诉法解释 art. 78) from among themselves.
- A representative's settlement binds the group only with its consent, and each claimant
  may opt out and pursue the complaint alone; an opted-out claimant is no member and can
  be no representative.

Pure functions over plain :class:`ComplaintFact` values; the service stores the result.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass, replace

from mediation.disputes import ComplaintStatus, DisputeType
from mediation.messages import Msg

__all__ = [
    "ComplaintFact",
    "GROUP_DISPUTE_MIN_CLAIMANTS",
    "GroupError",
    "MIN_GROUP_COMPLAINTS",
    "ProposedGroup",
    "REPRESENTATIVES_RANGE",
    "opt_out",
    "propose_groups",
    "validate_representatives",
]

# Two complaints about the same thing are already worth mediating together.
MIN_GROUP_COMPLAINTS = 2
# "人数众多" means ten or more (民诉法解释 art. 75).
GROUP_DISPUTE_MIN_CLAIMANTS = 10
# Two to five representatives (民诉法解释 art. 78): more than one so no single person
# decides for everyone, few enough to negotiate.
REPRESENTATIVES_RANGE = (2, 5)


class GroupError(ValueError):
    """A group rule broken; ``field`` names the form field."""

    def __init__(self, message: str, field: str = "representatives") -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ComplaintFact:
    """One complaint as group detection sees it."""

    id: Hashable
    project_id: Hashable
    dispute_type: DisputeType
    claimant_key: Hashable  # identifies the claimant (e.g. a person id), not the complaint
    status: ComplaintStatus
    opted_out: bool = False  # the claimant chose to pursue this complaint alone


@dataclass(frozen=True)
class ProposedGroup:
    project_id: Hashable
    dispute_type: DisputeType
    members: tuple[tuple[Hashable, Hashable], ...]  # (complaint id, claimant key), input order
    opted_out_ids: tuple = ()  # complaints of the same project and type left out by choice

    @property
    def complaint_ids(self) -> tuple:
        return tuple(complaint_id for complaint_id, _ in self.members)

    @property
    def claimant_keys(self) -> tuple:
        """The distinct claimants, in order of first appearance."""
        return _unique(claimant for _, claimant in self.members)

    @property
    def claimant_count(self) -> int:
        return len(self.claimant_keys)

    @property
    def is_group_dispute(self) -> bool:
        """Whether ten or more claimants make it a group dispute (群体性纠纷)."""
        return self.claimant_count >= GROUP_DISPUTE_MIN_CLAIMANTS

    @property
    def representatives_required(self) -> tuple[int, int] | None:
        """How many representatives the claimants choose, if they must: (2, 5)."""
        return REPRESENTATIVES_RANGE if self.is_group_dispute else None


def _unique(items: Iterable) -> tuple:
    return tuple(dict.fromkeys(items))


def propose_groups(
    complaints: Iterable[ComplaintFact], *, opted_out: Collection[Hashable] = ()
) -> list[ProposedGroup]:
    """Group open complaints by project and dispute type; keep groups of two or more.

    Open means submitted or accepted (see ``ComplaintStatus.is_open``). A complaint is
    left out by choice when it is flagged ``opted_out`` or its claimant is in
    ``opted_out`` (the opt-out list); such complaints are listed on their group as
    ``opted_out_ids``. Groups come largest first (by claimants, then complaints), ties in
    order of first appearance.
    """
    opted_out_claimants = set(opted_out)
    members: dict[tuple, list[ComplaintFact]] = {}
    opted: dict[tuple, list[ComplaintFact]] = {}
    for complaint in complaints:
        status = ComplaintStatus(complaint.status)
        if not status.is_open:
            continue
        key = (complaint.project_id, DisputeType(complaint.dispute_type))
        members.setdefault(key, [])
        opted.setdefault(key, [])
        left_out = complaint.opted_out or complaint.claimant_key in opted_out_claimants
        (opted if left_out else members)[key].append(complaint)

    groups = []
    for (project_id, dispute_type), facts in members.items():
        if len(facts) < MIN_GROUP_COMPLAINTS:
            continue
        groups.append(
            ProposedGroup(
                project_id=project_id,
                dispute_type=dispute_type,
                members=tuple((f.id, f.claimant_key) for f in facts),
                opted_out_ids=tuple(f.id for f in opted[(project_id, dispute_type)]),
            )
        )
    ranked = sorted(
        enumerate(groups),
        key=lambda pair: (-pair[1].claimant_count, -len(pair[1].complaint_ids), pair[0]),
    )
    return [group for _, group in ranked]


def opt_out(group: ProposedGroup, claimant_key: Hashable) -> ProposedGroup:
    """Take a claimant's complaints out of the group, recording them as opted out.

    The result may fall below ten claimants and stop being a group dispute.
    """
    if claimant_key not in group.claimant_keys:
        raise GroupError(Msg("该申请人不在本组中，无需退出", "This claimant is not in the group"), "claimant")
    leaving = tuple(cid for cid, claimant in group.members if claimant == claimant_key)
    return replace(
        group,
        members=tuple(m for m in group.members if m[1] != claimant_key),
        opted_out_ids=group.opted_out_ids + leaving,
    )


def validate_representatives(
    members: ProposedGroup | Collection[Hashable], representatives: Sequence[Hashable]
) -> tuple:
    """Check the chosen representatives and return them without duplicates, or raise GroupError.

    ``members`` is the group (or its claimants' keys). A group dispute needs two to five
    representatives, each a member who has not opted out.
    """
    claimants = members.claimant_keys if isinstance(members, ProposedGroup) else tuple(members)
    claimant_set = set(claimants)
    if len(claimant_set) < GROUP_DISPUTE_MIN_CLAIMANTS:
        raise GroupError(Msg(
            "本组申请人{n}人，不足{m}人，不属于群体性纠纷，无需推选代表人",
            "The group has {n} claimants, fewer than {m}: it is no group dispute and needs no "
            "representatives", n=len(claimant_set), m=GROUP_DISPUTE_MIN_CLAIMANTS))
    chosen = _unique(representatives)
    if len(chosen) != len(representatives):
        raise GroupError(Msg("代表人不能重复", "A representative is named twice"))
    low, high = REPRESENTATIVES_RANGE
    if not low <= len(chosen) <= high:
        raise GroupError(Msg("群体性纠纷应推选{low}至{high}名代表人，当前为{n}名",
                             "A group dispute chooses {low} to {high} representatives, not {n}",
                             low=low, high=high, n=len(chosen)))
    outsiders = [r for r in chosen if r not in claimant_set]
    if outsiders:
        names = "、".join(str(r) for r in outsiders)
        raise GroupError(Msg("代表人须为本组申请人，{names}不是本组成员（或已选择退出）",
                             "Representatives are claimants of the group; {names} is not a member (or opted out)",
                             names=names))
    return chosen
