{
  "format": "legdrive-timer/history",
  "version": 1,
  "exported_at": "2026-11-29T23:44:12.289297+00:00",
  "sessions": []
}
