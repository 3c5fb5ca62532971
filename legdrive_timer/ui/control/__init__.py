"""The app's parts by concern, each owning its state: settings, sound, history, workouts
and the running session. `ui.app.AppController` builds them and connects them."""
