//! [`SideVec`]: a vector that costs one pointer on the vertex.

use thin_vec::ThinVec;

/// A vector that costs one pointer (for vertex fields many vertices never
/// use): empty, it allocates nothing; otherwise length and capacity sit in
/// the same allocation as the elements, so a push allocates once where a
/// boxed `Vec` would allocate the box and the buffer.
#[derive(Clone, Debug)]
pub struct SideVec<T>(ThinVec<T>);

impl<T> Default for SideVec<T> {
    fn default() -> Self {
        SideVec(ThinVec::new())
    }
}

impl<T> SideVec<T> {
    /// Appends `x`.
    pub fn push(&mut self, x: T) {
        self.0.push(x);
    }

    /// Removes every element (and frees the allocation: a cleared vertex
    /// is usually refilled with fewer elements, or never).
    pub fn clear(&mut self) {
        self.0 = ThinVec::new();
    }
}

impl<T> From<Vec<T>> for SideVec<T> {
    fn from(v: Vec<T>) -> Self {
        SideVec(v.into_iter().collect())
    }
}

impl<T> std::ops::Deref for SideVec<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<T> std::ops::DerefMut for SideVec<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        &mut self.0
    }
}

impl<T> IntoIterator for SideVec<T> {
    type Item = T;
    type IntoIter = thin_vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a SideVec<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}
