//! Plan engine: finds components in an evaluated plan and runs their DAG.
