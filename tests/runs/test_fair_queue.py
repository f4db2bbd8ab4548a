"""FairQueue: owners take turns; one owner's burst cannot starve the others."""

from playground.runs.fair_queue import FairQueue


def test_round_robin_across_owners():
    q = FairQueue()
    for i in range(5):
        q.append(f"a{i}", "ann")  # Ann presses Start five times first
    q.append("b0", "bob")
    q.append("c0", "cy")
    q.append("b1", "bob")
    assert q.order() == ["a0", "b0", "c0", "a1", "b1", "a2", "a3", "a4"]
    assert q.position("c0") == 3 and q.position("zz") is None
    started = [q.pop_next()[0] for _ in range(4)]
    assert started == ["a0", "b0", "c0", "a1"]
    assert len(q) == 4 and "b1" in q


def test_owner_at_their_share_is_skipped_not_dropped():
    q = FairQueue()
    q.append("a0", "ann")
    q.append("a1", "ann")
    q.append("b0", "bob")
    busy = {"ann"}
    assert q.pop_next(lambda owner: owner not in busy) == ("b0", "bob")
    assert q.pop_next(lambda owner: owner not in busy) is None
    busy.clear()
    assert q.pop_next(lambda owner: owner not in busy) == ("a0", "ann")
    assert q.order() == ["a1"]


def test_remove_and_counts():
    q = FairQueue()
    q.append("a0", "ann")
    q.append("a1", "ann")
    q.append("b0", "bob")
    assert q.count("ann") == 2 and q.owner_of("b0") == "bob"
    q.remove("a0")
    q.remove("b0")
    assert q.order() == ["a1"] and q.count("bob") == 0
    q.clear()
    assert not q and list(q) == []


def test_spread_of_waits_is_small_with_many_owners():
    """30 owners, 3 runs each, pressed in a burst per owner: every owner's first
    run starts within the first 30 starts (a FIFO would make the last owner
    wait 87 starts)."""
    q = FairQueue()
    for owner in range(30):
        for k in range(3):
            q.append(f"{owner}-{k}", str(owner))
    order = [q.pop_next()[0] for _ in range(90)]
    first = {o: order.index(f"{o}-0") for o in range(30)}
    assert max(first.values()) == 29


def test_a_start_straight_to_a_free_worker_counts_as_a_turn():
    """Ann's first run started at once; her second must not go before Bob's first."""
    q = FairQueue()
    q.append("a0", "ann")
    assert q.pop_next() == ("a0", "ann")  # a free worker: straight through
    q.append("a1", "ann")
    q.append("b0", "bob")
    q.append("c0", "cy")
    assert q.order() == ["b0", "c0", "a1"]
    assert q.pop_next() == ("b0", "bob")
