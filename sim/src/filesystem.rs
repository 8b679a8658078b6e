//! The module's file system: a RAM drive (`RAM:` names, lost on reboot) and
//! the UFS flash drive (`UFS:` or no prefix, kept across reboots), both held
//! in host memory.

use std::collections::BTreeMap;

use crate::error_code::CmeError;

/// Longest file name parameter accepted, drive prefix included.
pub const MAX_NAME_LEN: usize = 80;

/// A drive of the module's file system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Drive {
    /// `RAM:` — lost on reboot.
    Ram,
    /// `UFS:` (or no prefix) — the flash drive, kept across reboots.
    Ufs,
}

impl Drive {
    /// The prefix the module prints (`RAM:`, `UFS:`).
    pub fn prefix(self) -> &'static str {
        match self {
            Drive::Ram => "RAM:",
            Drive::Ufs => "UFS:",
        }
    }
}

/// A file name split into drive and name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FilePath {
    /// The drive.
    pub drive: Drive,
    /// The name on the drive, without prefix.
    pub name: String,
}

impl FilePath {
    /// Splits a name parameter (`RAM:cacert.pem`, `UFS:a`, `a`): a name that
    /// is empty or too long gives 406, an unknown drive prefix (`SD:`) 4.
    pub fn parse(text: &str) -> Result<FilePath, CmeError> {
        if text.is_empty() || text.len() > MAX_NAME_LEN {
            return Err(CmeError::InvalidName);
        }
        let (drive, name) = match text.split_once(':') {
            Some((prefix, rest)) if prefix.eq_ignore_ascii_case("RAM") => (Drive::Ram, rest),
            Some((prefix, rest)) if prefix.eq_ignore_ascii_case("UFS") => (Drive::Ufs, rest),
            Some(_) => return Err(CmeError::OperationNotSupported),
            None => (Drive::Ufs, text),
        };
        if name.is_empty() || name.contains(['/', '\\', '*']) {
            return Err(CmeError::InvalidName);
        }
        Ok(FilePath {
            drive,
            name: name.to_string(),
        })
    }

    /// The full name with its prefix.
    pub fn full(&self) -> String {
        format!("{}{}", self.drive.prefix(), self.name)
    }
}

/// The two drives and their contents.
#[derive(Debug, Clone)]
pub struct FileSystem {
    files: BTreeMap<FilePath, Vec<u8>>,
    ram_capacity: usize,
    ufs_capacity: usize,
}

impl FileSystem {
    /// An empty file system with the given drive sizes in bytes.
    pub fn new(ram_capacity: usize, ufs_capacity: usize) -> FileSystem {
        FileSystem {
            files: BTreeMap::new(),
            ram_capacity,
            ufs_capacity,
        }
    }

    /// The capacity of a drive in bytes.
    pub fn capacity(&self, drive: Drive) -> usize {
        match drive {
            Drive::Ram => self.ram_capacity,
            Drive::Ufs => self.ufs_capacity,
        }
    }

    /// Bytes used on a drive.
    pub fn used(&self, drive: Drive) -> usize {
        self.files
            .iter()
            .filter(|(path, _)| path.drive == drive)
            .map(|(_, data)| data.len())
            .sum()
    }

    /// Checks that a new file of `size` bytes can be created at `path`
    /// (what `AT+QFUPL` checks before its `CONNECT`).
    pub fn check_create(&self, path: &FilePath, size: usize) -> Result<(), CmeError> {
        if self.files.contains_key(path) {
            return Err(CmeError::AlreadyExists);
        }
        let capacity = self.capacity(path.drive);
        if size > capacity {
            return Err(CmeError::TooLarge);
        }
        let free = capacity.saturating_sub(self.used(path.drive));
        if free == 0 {
            return Err(CmeError::DriveFull);
        }
        if size > free {
            return Err(CmeError::NoSpace);
        }
        Ok(())
    }

    /// Stores a file (after the checks of [`FileSystem::check_create`]).
    pub fn write(&mut self, path: FilePath, data: Vec<u8>) -> Result<(), CmeError> {
        self.check_create(&path, data.len())?;
        self.files.insert(path, data);
        Ok(())
    }

    /// Reads a file.
    pub fn read(&self, path: &FilePath) -> Option<&[u8]> {
        self.files.get(path).map(Vec::as_slice)
    }

    /// Reads a file by its name parameter (`RAM:cacert.pem`).
    pub fn read_named(&self, name: &str) -> Option<&[u8]> {
        FilePath::parse(name)
            .ok()
            .and_then(|p| self.files.get(&p))
            .map(Vec::as_slice)
    }

    /// Deletes a file: 405 when there is none.
    pub fn delete(&mut self, path: &FilePath) -> Result<(), CmeError> {
        self.files
            .remove(path)
            .map(|_| ())
            .ok_or(CmeError::NotFound)
    }

    /// Every file of a drive, in name order, with its size.
    pub fn list(&self, drive: Drive) -> Vec<(FilePath, usize)> {
        self.files
            .iter()
            .filter(|(path, _)| path.drive == drive)
            .map(|(path, data)| (path.clone(), data.len()))
            .collect()
    }

    /// Deletes every RAM file (what a reboot does).
    pub fn clear_ram(&mut self) {
        self.files.retain(|path, _| path.drive != Drive::Ram);
    }
}

/// The `+QFUPL` checksum: XOR of the data taken as big-endian 16-bit words,
/// an odd last byte being the high byte of a last word.
pub fn upload_checksum(data: &[u8]) -> u16 {
    data.chunks(2).fold(0u16, |acc, pair| {
        let word = match *pair {
            [high, low] => u16::from_be_bytes([high, low]),
            [high] => u16::from(high) << 8,
            _ => 0,
        };
        acc ^ word
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_is_xor_of_big_endian_words() {
        assert_eq!(upload_checksum(b""), 0);
        assert_eq!(upload_checksum(&[0x12, 0x34, 0x56, 0x78]), 0x1234 ^ 0x5678);
        assert_eq!(upload_checksum(&[0x12, 0x34, 0x56]), 0x1234 ^ 0x5600);
        assert_eq!(format!("{:x}", upload_checksum(&[0x00, 0x57])), "57");
    }

    #[test]
    fn names_and_drives() {
        let p = FilePath::parse("RAM:cacert.pem").unwrap();
        assert_eq!(p.drive, Drive::Ram);
        assert_eq!(p.full(), "RAM:cacert.pem");
        assert_eq!(FilePath::parse("a.pem").unwrap().drive, Drive::Ufs);
        assert_eq!(
            FilePath::parse("SD:a").unwrap_err(),
            CmeError::OperationNotSupported
        );
        assert_eq!(FilePath::parse("").unwrap_err(), CmeError::InvalidName);
        let long = format!("RAM:{}", "x".repeat(77));
        assert_eq!(FilePath::parse(&long).unwrap_err(), CmeError::InvalidName);
    }

    #[test]
    fn capacity_limits() {
        let mut fs = FileSystem::new(10, 100);
        let a = FilePath::parse("RAM:a").unwrap();
        assert_eq!(fs.check_create(&a, 11), Err(CmeError::TooLarge));
        fs.write(a.clone(), vec![0; 6]).unwrap();
        assert_eq!(fs.check_create(&a, 1), Err(CmeError::AlreadyExists));
        let b = FilePath::parse("RAM:b").unwrap();
        assert_eq!(fs.check_create(&b, 5), Err(CmeError::NoSpace));
        fs.write(b, vec![0; 4]).unwrap();
        let c = FilePath::parse("RAM:c").unwrap();
        assert_eq!(fs.check_create(&c, 1), Err(CmeError::DriveFull));
        fs.clear_ram();
        assert!(fs.list(Drive::Ram).is_empty());
    }
}
