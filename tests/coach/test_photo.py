"""The pose model on real photographs of people, decoded by the app's own video reader.

Two frames of the Sports2D demonstration video (BSD-3-Clause; tests/fixtures/photos/README.md):
a man standing still facing the camera, and a woman walking past, seen from the side. Where
their joints are was placed by eye on a 3x enlargement of each photograph (good to about
5 px); the model must put every joint near there, in the right order from shoulders to
ankles, inside the person, with left and right the right way round in the front view; and
the joints must follow the person when the same photograph is shifted inside a larger frame,
cropped, scaled or turned, which is what the detector's letterbox and the landmark model's
rotated crop must get right.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

np = pytest.importorskip("numpy")
pytest.importorskip("av")
pytest.importorskip("ai_edge_litert")

from legdrive_timer.coach.joints import Joint, Point, Pose  # noqa: E402
from legdrive_timer.coach.measures import trunk_lean_deg  # noqa: E402
from legdrive_timer.coach.pose import PoseModel  # noqa: E402
from legdrive_timer.coach.video import read_frames  # noqa: E402

PHOTOS = Path(__file__).parents[1] / "fixtures" / "photos"

TOLERANCE = 0.10
"""How far a joint may be from where it was placed by eye: a tenth of the person's
shoulder-to-ankle height (about 21 px in these photographs). A broken letterbox or crop
puts joints off by a large part of the body, or loses the person."""

SAME_PLACE_PX = 12.0
"""How far a joint may move when the same photograph is shifted, cropped or turned: the
model sees slightly different pixels, not a different person."""

J = Joint


@dataclass(frozen=True)
class Photo:
    name: str
    joints: dict[Joint, tuple[float, float]]
    box: tuple[float, float, float, float]
    """The person, head to shoes and hand to hand: left, top, right, bottom (pixels)."""
    facing_camera: bool

    def image(self) -> Any:
        [(_, rgb)] = list(read_frames(PHOTOS / self.name))
        return rgb

    @property
    def height(self) -> float:
        top = min(self.joints[J.LEFT_SHOULDER][1], self.joints[J.RIGHT_SHOULDER][1])
        bottom = max(self.joints[J.LEFT_ANKLE][1], self.joints[J.RIGHT_ANKLE][1])
        return bottom - top


# Where each joint is, placed by eye: (x, y) in standing-front.jpg, then in walking-side.jpg.
# Seen from the side, the shoulders and hips overlap; the legs are named by where they are,
# front (image left, as LEFT_*) and back, since which is which cannot be told by eye.
PLACED_BY_EYE = {
    J.RIGHT_SHOULDER: ((183, 108), (207, 97)),
    J.LEFT_SHOULDER: ((250, 108), (207, 97)),
    J.RIGHT_HIP: ((197, 206), (197, 207)),
    J.LEFT_HIP: ((237, 206), (197, 207)),
    J.RIGHT_KNEE: ((195, 263), (233, 260)),
    J.LEFT_KNEE: ((238, 263), (166, 268)),
    J.RIGHT_ANKLE: ((195, 320), (280, 320)),
    J.LEFT_ANKLE: ((237, 320), (153, 330)),
}
STANDING_FRONT = Photo(
    "standing-front.jpg",
    {joint: places[0] for joint, places in PLACED_BY_EYE.items()},
    box=(90, 50, 350, 350),
    facing_camera=True,
)
WALKING_SIDE = Photo(
    "walking-side.jpg",
    {joint: places[1] for joint, places in PLACED_BY_EYE.items()},
    box=(110, 30, 300, 350),
    facing_camera=False,
)
PHOTO_LIST = [STANDING_FRONT, WALKING_SIDE]

LEVELS = (
    (J.LEFT_SHOULDER, J.RIGHT_SHOULDER),
    (J.LEFT_HIP, J.RIGHT_HIP),
    (J.LEFT_KNEE, J.RIGHT_KNEE),
    (J.LEFT_ANKLE, J.RIGHT_ANKLE),
)


@pytest.fixture(scope="module")
def model() -> PoseModel:
    return PoseModel()


def estimate(model: PoseModel, rgb: Any) -> Pose:
    model.reset()
    pose = model.estimate(np.ascontiguousarray(rgb))
    assert pose is not None, "nobody found"
    assert set(pose) == set(Joint), f"joints missing: {set(Joint) - set(pose)}"
    return pose


def _unordered_legs(pose: Pose) -> dict[Joint, Point]:
    """The side view's legs named front (image left, as LEFT_*) and back, whatever the
    model's labels: it cannot tell them apart reliably from the side either."""
    out = dict(pose)
    for left, right in LEVELS[1:]:
        a, b = pose[left], pose[right]
        out[left], out[right] = (a, b) if a.x <= b.x else (b, a)
    return out


@pytest.mark.parametrize("photo", PHOTO_LIST, ids=lambda p: p.name)
def test_the_joints_are_where_a_person_sees_them(model: PoseModel, photo: Photo) -> None:
    pose = estimate(model, photo.image())
    if not photo.facing_camera:
        pose = _unordered_legs(pose)
    limit = TOLERANCE * photo.height
    for joint, (x, y) in photo.joints.items():
        found = pose[joint]
        off = math.hypot(found.x - x, found.y - y)
        assert off <= limit, f"{joint}: found at ({found.x:.0f}, {found.y:.0f}), {off:.0f} px off"
        left, top, right, bottom = photo.box
        assert left <= found.x <= right and top <= found.y <= bottom, joint


@pytest.mark.parametrize("photo", PHOTO_LIST, ids=lambda p: p.name)
def test_shoulders_above_hips_above_knees_above_ankles(model: PoseModel, photo: Photo) -> None:
    pose = estimate(model, photo.image())
    step = 0.15 * photo.height  # each level at least this far below the one above
    for upper, lower in itertools.pairwise(LEVELS):
        assert max(pose[j].y for j in upper) + step <= min(pose[j].y for j in lower)
    # A person upright: the trunk within 15 deg of vertical, the thigh about as long as
    # it should be against the trunk (0.5-1.0 of the shoulder-hip length in adults).
    assert abs(trunk_lean_deg(pose)) < 15
    shoulders = (pose[J.LEFT_SHOULDER].y + pose[J.RIGHT_SHOULDER].y) / 2
    hips = (pose[J.LEFT_HIP].y + pose[J.RIGHT_HIP].y) / 2
    for hip, knee in ((J.LEFT_HIP, J.LEFT_KNEE), (J.RIGHT_HIP, J.RIGHT_KNEE)):
        thigh = math.hypot(pose[knee].x - pose[hip].x, pose[knee].y - pose[hip].y)
        assert 0.5 <= thigh / (hips - shoulders) <= 1.0


def test_left_and_right_in_a_front_view(model: PoseModel) -> None:
    """Facing the camera, the person's left is on the image's right; in the mirror image
    too (the labels follow the body, so they swap places with the pixels)."""
    image = STANDING_FRONT.image()
    for rgb in (image, image[:, ::-1]):
        pose = estimate(model, rgb)
        for left, right in LEVELS:
            assert pose[left].x > pose[right].x, left
    plain, mirrored = estimate(model, image), estimate(model, image[:, ::-1])
    width = image.shape[1]
    for left, right in LEVELS:
        for a, b in ((left, right), (right, left)):
            moved = Point(width - 1 - mirrored[b].x, mirrored[b].y)
            assert _distance(plain[a], moved) <= SAME_PLACE_PX, a


def _distance(a: Point, b: Point) -> float:
    return math.hypot(a.x - b.x, a.y - b.y)


def _pad(rgb: Any) -> Any:
    """The photograph in the lower right of a 720 x 540 frame (a webcam's 4:3 again)."""
    canvas = np.zeros((540, 720, 3), dtype=np.uint8)
    canvas[120 : 120 + rgb.shape[0], 200 : 200 + rgb.shape[1]] = rgb
    return canvas


Transform = tuple[Callable[[Any], Any], Callable[[Point, int, int], Point]]
"""What is done to the image, and where a point of the original ends up (given the
original's width and height)."""

TRANSFORMS: dict[str, Transform] = {
    # A wider frame with the person off-centre: the detector's letterbox changes.
    "shifted in a larger frame": (_pad, lambda p, w, h: Point(p.x + 200, p.y + 120)),
    # Portrait instead of landscape: letterboxed the other way.
    "portrait crop": (lambda a: a[:, 80:380], lambda p, w, h: Point(p.x - 80, p.y)),
    "half size": (lambda a: a[::2, ::2], lambda p, w, h: Point(p.x / 2, p.y / 2)),
    # Lying down and upside down: the rotated crop must turn the person upright and the
    # landmarks back.
    "turned a quarter": (lambda a: np.rot90(a), lambda p, w, h: Point(p.y, w - 1 - p.x)),
    "upside down": (lambda a: a[::-1, ::-1], lambda p, w, h: Point(w - 1 - p.x, h - 1 - p.y)),
}


@pytest.mark.parametrize("name", list(TRANSFORMS))
def test_the_joints_follow_the_person(model: PoseModel, name: str) -> None:
    change, where = TRANSFORMS[name]
    image = STANDING_FRONT.image()
    h, w = image.shape[:2]
    plain = estimate(model, image)
    changed = estimate(model, change(image))
    for joint in Joint:
        expected = where(plain[joint], w, h)
        assert _distance(changed[joint], expected) <= SAME_PLACE_PX, joint


def test_a_frame_tracked_from_the_last_one_finds_the_same_joints(model: PoseModel) -> None:
    """The second frame's crop comes from the first frame's landmarks, not the detector."""
    image = STANDING_FRONT.image()
    model.reset()
    first = model.estimate(image)
    tracked = model.estimate(image)
    assert first is not None and tracked is not None
    for joint in Joint:
        assert _distance(first[joint], tracked[joint]) <= SAME_PLACE_PX / 2, joint


def test_nobody_in_an_empty_or_noisy_frame(model: PoseModel) -> None:
    shape = STANDING_FRONT.image().shape
    model.reset()
    assert model.estimate(np.zeros(shape, dtype=np.uint8)) is None
    model.reset()
    noise = np.random.default_rng(1).integers(0, 256, shape, dtype=np.uint8)
    assert model.estimate(noise) is None
