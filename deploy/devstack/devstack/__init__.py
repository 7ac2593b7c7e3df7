"""Local infrastructure stack (no Docker): provisioning, lifecycle and a process supervisor."""
