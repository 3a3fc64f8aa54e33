"""``cwtch demo``: the real bot against the local Discord emulator on a temporary database, playing a scripted
story and writing down what each person saw. Needs no token and no network: everything stays on 127.0.0.1.

``runner`` starts and stops everything, ``story`` is the script, ``stage`` acts as the server's people and
narrates, ``render`` turns Discord payloads into readable lines, and ``clock`` lets the story move the bot's
time forward (a week for a survey to close) in a moment."""
