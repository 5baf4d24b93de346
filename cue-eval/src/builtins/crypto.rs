//! `crypto/md5`, `crypto/sha1`, `crypto/sha256`, `crypto/sha512`: digests
//! of bytes or strings, returned as bytes.

use super::args;
use super::{func, num_const, BuiltinError, Kind, Package};
use crate::data::Data;
use md5::Md5;
use sha1::Sha1;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512, Sha512_224, Sha512_256};

const SB: Kind = Kind::STRING_BYTES;

type R = Result<Data, BuiltinError>;

fn digest<D: Digest>(a: &[Data]) -> R {
    let input = args::bytes(a, 0)?;
    Ok(Data::Bytes(D::digest(input).to_vec()))
}

pub static MD5: Package = Package {
    path: "crypto/md5",
    cue: None,
    members: &[
        num_const!("Size", "16"),
        num_const!("BlockSize", "64"),
        func!("crypto/md5", "Sum", [SB], SB, digest::<Md5>),
    ],
};

pub static SHA1: Package = Package {
    path: "crypto/sha1",
    cue: None,
    members: &[
        num_const!("Size", "20"),
        num_const!("BlockSize", "64"),
        func!("crypto/sha1", "Sum", [SB], SB, digest::<Sha1>),
    ],
};

pub static SHA256: Package = Package {
    path: "crypto/sha256",
    cue: None,
    members: &[
        num_const!("Size", "32"),
        num_const!("Size224", "28"),
        num_const!("BlockSize", "64"),
        func!("crypto/sha256", "Sum256", [SB], SB, digest::<Sha256>),
        func!("crypto/sha256", "Sum224", [SB], SB, digest::<Sha224>),
    ],
};

pub static SHA512: Package = Package {
    path: "crypto/sha512",
    cue: None,
    members: &[
        num_const!("Size", "64"),
        num_const!("Size224", "28"),
        num_const!("Size256", "32"),
        num_const!("Size384", "48"),
        num_const!("BlockSize", "128"),
        func!("crypto/sha512", "Sum512", [SB], SB, digest::<Sha512>),
        func!("crypto/sha512", "Sum384", [SB], SB, digest::<Sha384>),
        func!(
            "crypto/sha512",
            "Sum512_224",
            [SB],
            SB,
            digest::<Sha512_224>
        ),
        func!(
            "crypto/sha512",
            "Sum512_256",
            [SB],
            SB,
            digest::<Sha512_256>
        ),
    ],
};
