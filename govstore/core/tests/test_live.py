import asyncio

from govstore.core import live


class _Layer:
    def __init__(self, behaviour):
        self.behaviour = behaviour
        self.sent = []

    async def group_send(self, group, event):
        if self.behaviour == "hang":
            await asyncio.sleep(3600)
        if self.behaviour == "down":
            raise ConnectionError("Redis refused the connection")
        self.sent.append((group, event))


def test_a_push_reaches_the_layer(monkeypatch):
    layer = _Layer("ok")
    monkeypatch.setattr(live, "get_channel_layer", lambda: layer)
    assert live.group_push("lot-1", {"type": "lot.state"}) is True
    assert layer.sent == [("lot-1", {"type": "lot.state"})]


def test_a_hung_layer_gives_the_push_up_instead_of_holding_the_request(monkeypatch):
    monkeypatch.setattr(live, "get_channel_layer", lambda: _Layer("hang"))
    monkeypatch.setattr(live, "PUSH_TIMEOUT_SECONDS", 0.05)
    assert live.group_push("lot-1", {"type": "lot.state"}) is False


def test_a_layer_that_is_down_loses_the_push_only(monkeypatch, caplog):
    monkeypatch.setattr(live, "get_channel_layer", lambda: _Layer("down"))
    assert live.group_push("conversation-7", {"type": "chat.event"}) is False
    assert "conversation-7" in caplog.text
