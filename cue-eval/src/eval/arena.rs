//! The vertex arena: vertices in fixed-size chunks, so that growing it never
//! moves (copies) the vertices already allocated. A single `Vec<Vertex>`
//! doubled and copied hundreds of megabytes on large inputs, touching fresh
//! pages each time.

use super::Vertex;
use std::ops::{Index, IndexMut};

/// Vertices per chunk (a power of two, so indexing is a shift and a mask).
const CHUNK_BITS: u32 = 10;
const CHUNK: usize = 1 << CHUNK_BITS;

/// An append-only sequence of vertices indexed by `usize`.
#[derive(Default)]
pub struct Arena {
    chunks: Vec<Vec<Vertex>>,
    len: usize,
}

impl Arena {
    /// The number of vertices.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there is no vertex.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends `v` at index `len()`.
    pub fn push(&mut self, v: Vertex) {
        if self.len.is_multiple_of(CHUNK) {
            self.chunks.push(Vec::with_capacity(CHUNK));
        }
        let last = self.chunks.len() - 1;
        self.chunks[last].push(v);
        self.len += 1;
    }

    /// Room for `n` more chunk pointers (the vertices themselves are
    /// allocated a chunk at a time).
    pub fn reserve(&mut self, n: usize) {
        self.chunks.reserve(n.div_ceil(CHUNK));
    }
}

impl Index<usize> for Arena {
    type Output = Vertex;
    fn index(&self, i: usize) -> &Vertex {
        &self.chunks[i >> CHUNK_BITS][i & (CHUNK - 1)]
    }
}

impl IndexMut<usize> for Arena {
    fn index_mut(&mut self, i: usize) -> &mut Vertex {
        &mut self.chunks[i >> CHUNK_BITS][i & (CHUNK - 1)]
    }
}
