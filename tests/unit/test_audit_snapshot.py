"""An audited state reads and hashes the same whatever order a set comes back in."""

from chalicelib.core import audit
from chalicelib.dispatch.store import InstructionRecord


def test_sets_in_a_snapshot_are_sorted_so_a_stored_state_compares_equal():
    rec = InstructionRecord(
        id="01M8K6BFQM2BB2NYXVHC9DRW7Y",
        from_org_id="a",
        to_org_id="b",
        sent_by="u",
        title="t",
        body="b",
        state="sent",
        due_at="2026-12-01T00:00:00.000Z",
        respond_within_seconds="60",
        parties={"zz", "aa", "mm", "bb"},
        region="370000",
    )
    rec.derive_keys()
    state = audit.snapshot(rec)
    assert state["parties"] == {"SS": ["aa", "bb", "mm", "zz"]}
    # As DynamoDB may return it: the same set in another order is the same state
    shuffled = {**state, "parties": {"SS": ["mm", "zz", "bb", "aa"]}}
    assert audit._ordered(shuffled) == state
