"""Spot-check tasks in a given state, through the API, for tests."""

from __future__ import annotations

from typing import Any

from tests.support.monitoring import CHIVES, act
from tests.support.world import World


class SpotWalk:
    """A province's spot-check task for one agency below it, taken step by step."""

    def __init__(self, api: Any, world: World, assignee: str = "jn", regions: tuple[str, ...] = ("370100",)) -> None:
        self.api, self.world, self.assignee = api, world, assignee
        made = api.post(
            "/spot-checks",
            token=world.token("sd-head"),
            body={
                "title": "韭菜农药残留监督抽查",
                "urgency": "normal",
                "assignee_org_id": world.agencies[assignee].id,
                "products": [CHIVES],
                "hazards": ["腐霉利"],
                "regions": list(regions),
                "units": 2,
                "standards": ["GB 2763-2021"],
            },
        )
        assert made.status == 201, made.body
        self.id = str(made.body["id"])
        self.published = False

    @classmethod
    def of(cls, api: Any, world: World, task_id: str) -> SpotWalk:
        """A child task a split published: walked on from where it stands."""
        walk = cls.__new__(cls)
        walk.api, walk.world, walk.id, walk.published = api, world, task_id, True
        return walk

    def version(self) -> int:
        from chalicelib.spotchecks import store

        return int(store.get(self.id).version or 0)

    def publish(self) -> SpotWalk:
        if not self.published:
            act(self.api, self.world, "sd-head", f"/spot-checks/{self.id}/publish", {"version": self.version()})
            self.published = True
        return self

    def receive(self, head: str) -> SpotWalk:
        self.publish()
        act(self.api, self.world, head, f"/spot-checks/{self.id}/receive", {"version": self.version()})
        return self

    def doing(self, head: str, lab: str = "jn-lab") -> SpotWalk:
        self.receive(head)
        body = {"version": self.version(), "plan": "双随机抽取", "lab_org_id": self.world.agencies[lab].id}
        act(self.api, self.world, head, f"/spot-checks/{self.id}/assign", body)
        return self

    def committed(self, head: str = "lc-head", samplers: int = 2) -> dict[str, Any]:
        """A doing county task's draw, committed (Licheng has the samplers; it gets an approved subject)."""
        approved_subject(self.api, self.world)
        self.doing(head)
        body = {"samplers": samplers}
        return dict(act(self.api, self.world, head, f"/spot-checks/{self.id}/draw", body, status=201))

    def performed(self, head: str = "lc-head", samplers: int = 2) -> dict[str, Any]:
        made = self.committed(head, samplers)
        return dict(act(self.api, self.world, head, f"/draws/{made['id']}/perform"))

    def ready_to_sample(self, sampler: str = "lc-supervisor") -> dict[str, Any]:
        """Drawn, the lab's model configured, and `sampler` on a team (a recusal makes room when chance did not)."""
        from tests.support.monitoring import model_body

        made = self.performed()
        body = model_body(self.version())
        body["objects"], body["items"] = body["objects"][:1], body["items"][:2]
        reply = self.api.request(
            "PUT", f"/spot-checks/{self.id}/model", token=self.world.token("jn-lab-manager"), body=body
        )
        assert reply.status == 200, reply.body
        wanted = self.world.users[sampler].id
        while wanted not in made["result"]["samplers"]:  # each recusal brings in the next sampler in the order
            body = {"sampler_id": made["result"]["samplers"][0], "reason": "回避"}
            made = dict(act(self.api, self.world, "lc-head", f"/draws/{made['id']}/recusals", body))
        return made

    def received_sample(self) -> tuple[str, dict[str, Any]]:
        """A drawn subject sampled by Licheng's supervisor and received by Jinan's lab: (its id, its body)."""
        from tests.support.monitoring import sample_body

        made = self.ready_to_sample()
        body = sample_body(
            product_code="010408", product_name="韭菜", subject_id=made["result"]["subjects"][0]["subject_id"]
        )
        taken = self.api.post(f"/spot-checks/{self.id}/samples", token=self.world.token("lc-supervisor"), body=body)
        assert taken.status == 201, taken.body
        sid = str(taken.body["id"])
        custody = {"handed_over_by": "lc-supervisor", "condition": "intact", "seal_no": body["seal_no"]}
        act(self.api, self.world, "jn-lab-analyst", f"/samples/{sid}/receipt", custody)
        return sid, body

    def failed_sample(self, value: str = "0.4") -> str:
        """A drawn subject sampled by Licheng's supervisor, received and tested unqualified by Jinan's lab
        (qualified with a value under the limit)."""
        sid, _ = self.received_sample()
        results = [
            {"sample_id": sid, "analyte": "procymidone", "value": value, "unit": "mg/kg"},
            {"sample_id": sid, "analyte": "chlorpyrifos", "detected": False, "unit": "mg/kg"},
        ]
        act(self.api, self.world, "jn-lab-analyst", "/results", {"results": results})
        return sid

    def reported(self) -> dict[str, Any]:
        """The lab's summary analysis report uploaded (checked in-line) and submitted to the issuing agency."""
        from chalicelib.attachments import service as attachments
        from tests.support.monitoring import upload_pdf_direct

        summary = upload_pdf_direct(self.api, self.world, "jn-lab-manager", "spotcheck", self.id, attachments)
        body = {"version": self.version(), "attachment_id": summary}
        return dict(act(self.api, self.world, "jn-lab-manager", f"/spot-checks/{self.id}/report", body))


def approved_subject(api: Any, world: World, products: tuple[str, ...] = (CHIVES,)) -> str:
    """A subject registered and approved in Licheng (370112), producing `products` (chives: the walks' task's)."""
    from tests.support.subjects import registration

    made = api.post("/subjects", token=world.token("lc-supervisor"), body=registration())
    assert made.status == 201, made.body
    act(api, world, "lc-head", f"/subjects/{made.body['id']}/review", {"decision": "approve"})
    for code in products:
        body = {"name": "韭菜" if code == CHIVES else "农产品", "category_code": code}
        act(api, world, "lc-supervisor", f"/subjects/{made.body['id']}/products", body, status=201)
    return str(made.body["id"])


def delivered_case(api: Any, world: World) -> str:
    """A confirmed failure handed over to Licheng's enforcement agency (the workflow's steps run in-line)."""
    from chalicelib.enforcement import service as enforcement
    from chalicelib.spotchecks import retests

    sid = SpotWalk(api, world, "lc", ("370112",)).failed_sample()
    retests.close({"sample_id": sid, "outcome": "lapsed"})
    return str(enforcement.deliver({"sample_id": sid})["case_id"])


def final_failure(api: Any, world: World) -> str:
    """A Licheng spot-check failure, made final in-line (nobody applied for a retest): the stream hands it over."""
    from chalicelib.spotchecks import retests

    sid = SpotWalk(api, world, "lc", ("370112",)).failed_sample()
    retests.close({"sample_id": sid, "outcome": "lapsed"})
    return sid


def case_or_none(sample_id: str) -> Any:
    from chalicelib.core.errors import NotFoundError
    from chalicelib.enforcement import store as cases

    try:
        return cases.get(sample_id)
    except NotFoundError:
        return None
