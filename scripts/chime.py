"""Write console/assets/chime.wav, the board's alert: two soft bell notes, rising (stdlib only).

The sound is made here rather than taken from a sound library, so it is the project's own to ship.
Run it again after changing a note: `.venv/bin/python scripts/chime.py`.
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 22_050
NOTES = ((0.0, 659.25), (0.16, 987.77))  # (start s, Hz): E5 then B5
LENGTH = 0.75


def sample(t: float) -> float:
    value = 0.0
    for start, hz in NOTES:
        if t >= start:
            age = t - start
            attack = min(1.0, age / 0.005)  # 5 ms rise: no click
            # The note and a quieter octave, fading like a struck bell.
            tone = math.sin(2 * math.pi * hz * age) + 0.3 * math.sin(4 * math.pi * hz * age)
            value += attack * math.exp(-age * 6) * tone
    return 0.32 * value


def main() -> None:
    target = Path(__file__).resolve().parent.parent / "console/assets/chime.wav"
    levels = (max(-1.0, min(1.0, sample(i / RATE))) for i in range(int(RATE * LENGTH)))
    frames = b"".join(struct.pack("<h", round(32767 * level)) for level in levels)
    with wave.open(str(target), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(frames)
    print(f"wrote {target} ({len(frames)} bytes of sound)")  # noqa: T201 - a script's report


if __name__ == "__main__":
    main()
