import time

from channels.generic.websocket import AsyncJsonWebsocketConsumer


class ServerClockConsumer(AsyncJsonWebsocketConsumer):
    """Answers with the server's clock so countdowns follow server time, never the phone's."""

    async def connect(self) -> None:
        await self.accept()
        await self.send_json({"server_time": time.time()})

    async def receive_json(self, content: dict, **kwargs: object) -> None:
        await self.send_json({"server_time": time.time(), "echo": content.get("sent_at")})
