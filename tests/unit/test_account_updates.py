"""customer_events.update_accounts, pure: what goes packed, what goes one at a time, and per event outcomes."""

from __future__ import annotations

from dataclasses import replace

from shopadmin.errors import ChangeConflict, EmailTaken
from shopadmin.logic.customer_events import update_accounts
from shopadmin.models.events import EventInvalid, parse_event
from shopadmin.models.records import AccountRecord, AccountSave, AuditRecord

from tests.support import BASE_MS, storefront_event


class MemoryAccounts:
    """An accounts port in memory; `refuse` maps a customer to what its next packed save answers."""

    def __init__(self, *customer_ids: str) -> None:
        self.stored = {c: AccountRecord(c, {"email": f"{c}@example.com", "last_name": "Old", "company": None},
                                        created_at=BASE_MS, version=1) for c in customer_ids}
        self.refuse: dict[str, Exception] = {}
        self.packed: list[list[str]] = []
        self.alone: list[str] = []
        self.looked_up: list[str] = []

    def get_account(self, customer_id, consistent=True):
        return self.stored.get(customer_id)

    def get_account_profiles(self, customer_ids):
        return {c: replace(self.stored[c], addresses_read=False) for c in customer_ids if c in self.stored}

    def session_ids(self, customer_id):
        self.looked_up.append(customer_id)
        return [f"v-{customer_id}"]

    def _write(self, before, after):
        if self.stored[after.customer_id].version != before.version:
            raise ChangeConflict(after.customer_id)
        self.stored[after.customer_id] = replace(after, version=before.version + 1, addresses_read=True)
        return before.version + 1

    def save_account(self, before, after, audits: list[AuditRecord], now_ms):
        self.alone.append(after.customer_id)
        return self._write(before, after)

    def save_accounts(self, saves: list[AccountSave], now_ms):
        self.packed.append([save.after.customer_id for save in saves])
        results: list[int | Exception] = []
        for save in saves:
            refusal = self.refuse.pop(save.after.customer_id, None)
            results.append(refusal if refusal else self._write(save.before, save.after))
        return results

    def touch_activity(self, customer_id, field_name, at_ms):
        return True

    def create_accounts(self, creations, now_ms):
        return []


def update(customer_id: str, at: int, **data):
    return parse_event(storefront_event("account_updated", f"v-{customer_id}", at, customer_id=customer_id, data=data))


def test_updates_of_different_customers_are_saved_in_one_pack_and_only_shown_fields_look_up_sessions():
    accounts = MemoryAccounts("c-1", "c-2", "c-3")
    events = [update("c-1", BASE_MS, last_name="One"), update("c-2", BASE_MS, company="Two Ltd"),
              update("c-3", BASE_MS, last_name="Old")]  # c-3: same value, a newer time: stamped, not shown
    assert update_accounts(events, accounts, BASE_MS, parallel=4) == [None, None, None]
    assert accounts.packed == [["c-1", "c-2", "c-3"]] and accounts.alone == []
    assert sorted(accounts.looked_up) == ["c-1", "c-2"]
    assert accounts.stored["c-1"].fields["last_name"] == "One" and accounts.stored["c-2"].version == 2


def test_a_refused_save_goes_one_at_a_time_and_a_second_event_of_one_customer_follows_the_first():
    accounts = MemoryAccounts("c-1", "c-2")
    accounts.refuse["c-1"] = ChangeConflict("c-1")  # an admin save landed between the read and the pack
    events = [update("c-1", BASE_MS, last_name="First"), update("c-2", BASE_MS, company="Two Ltd"),
              update("c-1", BASE_MS + 1, company="Second Ltd")]
    assert update_accounts(events, accounts, BASE_MS) == [None, None, None]
    assert accounts.packed == [["c-1", "c-2"]] and accounts.alone == ["c-1", "c-1"]
    stored = accounts.stored["c-1"].fields
    assert (stored["last_name"], stored["company"]) == ("First", "Second Ltd")


def test_a_taken_email_is_an_invalid_event_and_other_refusals_are_handed_back():
    accounts = MemoryAccounts("c-1", "c-2")
    accounts.refuse["c-1"] = EmailTaken("c2@example.com")
    accounts.refuse["c-2"] = busy = RuntimeError("throttled")
    results = update_accounts([update("c-1", BASE_MS, email="c2@example.com"), update("c-2", BASE_MS, company="X")],
                              accounts, BASE_MS)
    assert isinstance(results[0], EventInvalid) and "data.email" in results[0].reason
    assert results[1] is busy


def test_an_unknown_customer_and_an_older_change_save_nothing():
    accounts = MemoryAccounts("c-1")
    accounts.stored["c-1"] = replace(accounts.stored["c-1"], field_times={"last_name": BASE_MS + 5})
    assert update_accounts([update("c-9", BASE_MS, last_name="X"), update("c-1", BASE_MS, last_name="Older")],
                           accounts, BASE_MS) == [None, None]
    assert accounts.packed == [] and accounts.stored["c-1"].fields["last_name"] == "Old"
