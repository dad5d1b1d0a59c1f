"""Local fakes of the services the bot talks to, for tests that run the real client against them."""
