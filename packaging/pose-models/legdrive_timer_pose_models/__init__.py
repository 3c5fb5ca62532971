"""MediaPipe BlazePose models (Apache-2.0, see LICENSE here): the person detector and the
full landmark model, unchanged from the `mediapipe` 0.10.21 wheel."""

from pathlib import Path

FOLDER = Path(__file__).resolve().parent
DETECTOR = FOLDER / "pose_detection.tflite"
LANDMARKS = FOLDER / "pose_landmark_full.tflite"
