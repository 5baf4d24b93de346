//! BuildKit LLB construction and client.
