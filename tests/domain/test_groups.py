"""Are a building's complaints gathered into one group, and its representatives chosen right?"""

import pytest

from mediation.disputes import ComplaintStatus, DisputeType
from mediation.groups import (
    ComplaintFact,
    GroupError,
    opt_out,
    propose_groups,
    validate_representatives,
)


def make_complaint(id, *, project="P1", dispute=DisputeType.LATE_DELIVERY, claimant=None,
                   status=ComplaintStatus.SUBMITTED, opted_out=False):
    return ComplaintFact(id, project, dispute, claimant or f"owner-{id}", status, opted_out)


def building(n, **kwargs):
    return [make_complaint(i, **kwargs) for i in range(1, n + 1)]


def test_ten_homeowners_complaining_of_late_delivery_form_a_group_dispute():
    [group] = propose_groups(building(10))
    assert group.claimant_count == 10
    assert group.is_group_dispute
    assert group.representatives_required == (2, 5)


def test_nine_claimants_are_a_group_but_not_a_group_dispute():
    [group] = propose_groups(building(9))
    assert not group.is_group_dispute
    assert group.representatives_required is None


def test_claimants_are_counted_once_however_many_complaints_they_file():
    complaints = building(9) + [make_complaint(99, claimant="owner-1")]
    [group] = propose_groups(complaints)
    assert len(group.complaint_ids) == 10
    assert group.claimant_count == 9
    assert not group.is_group_dispute


def test_a_single_complaint_is_no_group():
    assert propose_groups(building(1)) == []


def test_groups_are_per_project_and_dispute_type():
    complaints = (
        building(3)
        + [make_complaint(i, project="P2") for i in range(10, 14)]
        + [make_complaint(i, dispute=DisputeType.QUALITY) for i in range(20, 22)]
        + [make_complaint(30, dispute=DisputeType.AREA)]
    )
    groups = propose_groups(complaints)
    assert [(g.project_id, g.dispute_type, len(g.complaint_ids)) for g in groups] == [
        ("P2", DisputeType.LATE_DELIVERY, 4),
        ("P1", DisputeType.LATE_DELIVERY, 3),
        ("P1", DisputeType.QUALITY, 2),
    ]


def test_rejected_and_merged_complaints_are_left_out_but_accepted_ones_count():
    complaints = [
        make_complaint(1),
        make_complaint(2, status=ComplaintStatus.ACCEPTED),
        make_complaint(3, status=ComplaintStatus.REJECTED),
        make_complaint(4, status=ComplaintStatus.MERGED),
    ]
    [group] = propose_groups(complaints)
    assert group.complaint_ids == (1, 2)


def test_codes_from_the_database_are_accepted_as_plain_strings():
    complaints = [ComplaintFact(i, "P1", "quality", f"o{i}", "submitted") for i in range(2)]
    [group] = propose_groups(complaints)
    assert group.dispute_type is DisputeType.QUALITY


def test_claimants_who_opt_out_are_not_members_but_are_listed():
    complaints = building(11)
    complaints[0] = make_complaint(1, opted_out=True)
    [group] = propose_groups(complaints, opted_out={"owner-2"})
    assert group.opted_out_ids == (1, 2)
    assert group.claimant_count == 9
    assert not group.is_group_dispute


def test_opting_out_later_can_end_the_group_dispute():
    [group] = propose_groups(building(10))
    smaller = opt_out(group, "owner-3")
    assert smaller.claimant_count == 9 and not smaller.is_group_dispute
    assert smaller.opted_out_ids == (3,)
    with pytest.raises(GroupError, match="不在本组中"):
        opt_out(smaller, "owner-3")


# --- Representatives -------------------------------------------------------------------------


@pytest.fixture
def group_of_twelve():
    [group] = propose_groups(building(12))
    return group


@pytest.mark.parametrize("count", [2, 3, 4, 5])
def test_two_to_five_members_may_represent_the_group(group_of_twelve, count):
    chosen = [f"owner-{i}" for i in range(1, count + 1)]
    assert validate_representatives(group_of_twelve, chosen) == tuple(chosen)


@pytest.mark.parametrize("count", [0, 1, 6])
def test_fewer_than_two_or_more_than_five_are_refused(group_of_twelve, count):
    chosen = [f"owner-{i}" for i in range(1, count + 1)]
    with pytest.raises(GroupError) as error:
        validate_representatives(group_of_twelve, chosen)
    assert str(error.value) == f"群体性纠纷应推选2至5名代表人，当前为{count}名"
    assert error.value.field == "representatives"


def test_a_representative_must_be_a_member(group_of_twelve):
    with pytest.raises(GroupError, match="代表人须为本组申请人，stranger不是本组成员"):
        validate_representatives(group_of_twelve, ["owner-1", "stranger"])


def test_a_claimant_who_opted_out_cannot_represent_the_group(group_of_twelve):
    with pytest.raises(GroupError, match="owner-1不是本组成员"):
        validate_representatives(opt_out(group_of_twelve, "owner-1"), ["owner-1", "owner-2"])


def test_the_same_representative_twice_is_refused(group_of_twelve):
    with pytest.raises(GroupError, match="代表人不能重复"):
        validate_representatives(group_of_twelve, ["owner-1", "owner-1", "owner-2"])


def test_a_group_below_ten_claimants_elects_no_representatives():
    with pytest.raises(GroupError, match="不足10人"):
        validate_representatives([f"owner-{i}" for i in range(9)], ["owner-1", "owner-2"])
