from govstore.messaging.tests.factories import cast, dispute

__all__ = ["cast", "dispute"]
