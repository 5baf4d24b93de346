//! `crypto/md5`, `crypto/sha1`, `crypto/sha256`, `crypto/sha512`: digests
//! of bytes or strings, returned as bytes; `crypto/hmac`: keyed digests.

use super::args;
use super::args::fail;
use super::{func, num_const, str_const, BuiltinError, Kind, Package};
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

pub static HMAC: Package = Package {
    path: "crypto/hmac",
    cue: None,
    members: &[
        str_const!("MD5", "MD5"),
        str_const!("SHA1", "SHA1"),
        str_const!("SHA224", "SHA224"),
        str_const!("SHA256", "SHA256"),
        str_const!("SHA384", "SHA384"),
        str_const!("SHA512", "SHA512"),
        str_const!("SHA512_224", "SHA512_224"),
        str_const!("SHA512_256", "SHA512_256"),
        func!("crypto/hmac", "Sign", [Kind::STRING, SB, SB], SB, sign),
    ],
};

/// HMAC (RFC 2104) over digest `D` with block size `block`.
fn hmac<D: Digest>(key: &[u8], data: &[u8], block: usize) -> Vec<u8> {
    let mut k = if key.len() > block {
        D::digest(key).to_vec()
    } else {
        key.to_vec()
    };
    k.resize(block, 0);
    let ipad: Vec<u8> = k.iter().map(|b| b ^ 0x36).collect();
    let opad: Vec<u8> = k.iter().map(|b| b ^ 0x5c).collect();
    let mut inner = D::new();
    inner.update(&ipad);
    inner.update(data);
    let inner = inner.finalize();
    let mut outer = D::new();
    outer.update(&opad);
    outer.update(inner);
    outer.finalize().to_vec()
}

fn sign(a: &[Data]) -> R {
    let name = args::string(a, 0)?;
    let (key, data) = (args::bytes(a, 1)?, args::bytes(a, 2)?);
    let mac = match name {
        "MD5" => hmac::<Md5>(key, data, 64),
        "SHA1" => hmac::<Sha1>(key, data, 64),
        "SHA224" => hmac::<Sha224>(key, data, 64),
        "SHA256" => hmac::<Sha256>(key, data, 64),
        "SHA384" => hmac::<Sha384>(key, data, 128),
        "SHA512" => hmac::<Sha512>(key, data, 128),
        "SHA512_224" => hmac::<Sha512_224>(key, data, 128),
        "SHA512_256" => hmac::<Sha512_256>(key, data, 128),
        _ => return fail("unsupported hash function"),
    };
    Ok(Data::Bytes(mac))
}
