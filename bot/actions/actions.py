"""Custom actions. The assistant's answers come from the portal's JSON API (issue 5);
the action server already runs so that `make run` starts the complete system."""
