//! Parse and validate stages: the TOML scenario format.
