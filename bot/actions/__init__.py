"""Custom actions for the rasa-sdk action server (they call the portal's JSON API)."""
