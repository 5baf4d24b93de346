//! [`SideVec`]: a vector that costs one pointer while empty.

/// A vector that costs one pointer while empty (for fields most vertices
/// never use); the box is the point, so the vector's header stays off the
/// vertex.
#[derive(Clone, Debug)]
#[allow(clippy::box_collection)]
pub struct SideVec<T>(Option<Box<Vec<T>>>);

impl<T> Default for SideVec<T> {
    fn default() -> Self {
        SideVec(None)
    }
}

impl<T> SideVec<T> {
    /// Appends `x`.
    pub fn push(&mut self, x: T) {
        self.0.get_or_insert_with(Default::default).push(x);
    }

    /// Removes every element (and the allocation).
    pub fn clear(&mut self) {
        self.0 = None;
    }

    /// The elements as a vector.
    pub fn to_vec(&self) -> Vec<T>
    where
        T: Clone,
    {
        self.0.as_deref().cloned().unwrap_or_default()
    }

    /// The vector, allocated if needed (for in-place edits).
    pub fn vec_mut(&mut self) -> &mut Vec<T> {
        self.0.get_or_insert_with(Default::default)
    }
}

impl<T> From<Vec<T>> for SideVec<T> {
    fn from(v: Vec<T>) -> Self {
        if v.is_empty() {
            SideVec(None)
        } else {
            SideVec(Some(Box::new(v)))
        }
    }
}

impl<T> std::ops::Deref for SideVec<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        match &self.0 {
            Some(v) => v,
            None => &[],
        }
    }
}

impl<T> IntoIterator for SideVec<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.map(|b| *b).unwrap_or_default().into_iter()
    }
}

impl<'a, T> IntoIterator for &'a SideVec<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}
