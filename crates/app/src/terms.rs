//! The catalog of terms profiles: the built-in files under `terms-profiles/`, validated at
//! start. An agreement points at one `(id, version)`.

use tollgate_core::terms::{TermsError, TermsProfile};

/// The profiles built into the binary (file name, text).
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "terms-profiles/wildix-2026.toml",
        include_str!("../../../terms-profiles/wildix-2026.toml"),
    ),
    (
        "terms-profiles/wildix-earlier.toml",
        include_str!("../../../terms-profiles/wildix-earlier.toml"),
    ),
    (
        "terms-profiles/x-hoppers-2025.toml",
        include_str!("../../../terms-profiles/x-hoppers-2025.toml"),
    ),
];

/// The default profile for new agreements.
pub const DEFAULT_PROFILE: &str = "wildix-2026";

pub struct Catalog {
    profiles: Vec<TermsProfile>,
}

impl Catalog {
    pub fn builtin() -> Result<Catalog, TermsError> {
        Catalog::from_texts(BUILTIN.iter().map(|(f, t)| (f.to_string(), t.to_string())))
    }

    /// The built-in profiles plus every `*.toml` in `dir` (an operator's own or newer
    /// versions). A missing directory adds nothing; a bad file refuses to start, naming it.
    pub fn builtin_and_dir(dir: &std::path::Path) -> Result<Catalog, TermsError> {
        let mut files: Vec<(String, String)> = BUILTIN
            .iter()
            .map(|(f, t)| (f.to_string(), t.to_string()))
            .collect();
        if let Ok(entries) = std::fs::read_dir(dir) {
            let mut paths: Vec<_> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            paths.sort();
            for p in paths {
                let text = std::fs::read_to_string(&p).map_err(|e| TermsError {
                    file: p.display().to_string(),
                    key: "(file)".into(),
                    problem: e.to_string(),
                })?;
                files.push((p.display().to_string(), text));
            }
        }
        Catalog::from_texts(files)
    }

    /// Parses and validates every profile; two files with the same id and version are refused.
    pub fn from_texts(
        files: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Catalog, TermsError> {
        let mut profiles: Vec<TermsProfile> = Vec::new();
        for (file, text) in files {
            let p = TermsProfile::parse(&file, &text)?;
            if profiles
                .iter()
                .any(|q| q.id == p.id && q.version == p.version)
            {
                return Err(TermsError {
                    file,
                    key: "version".into(),
                    problem: format!("{} version {} is defined twice", p.id, p.version),
                });
            }
            profiles.push(p);
        }
        profiles.sort_by(|a, b| (&a.id, a.version).cmp(&(&b.id, b.version)));
        Ok(Catalog { profiles })
    }

    pub fn all(&self) -> &[TermsProfile] {
        &self.profiles
    }

    /// A profile by id; the latest version when `version` is `None`.
    pub fn get(&self, id: &str, version: Option<u32>) -> Option<&TermsProfile> {
        self.profiles
            .iter()
            .filter(|p| p.id == id && version.is_none_or(|v| p.version == v))
            .max_by_key(|p| p.version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_profiles_load_with_the_rulebook_table() {
        let c = Catalog::builtin().unwrap();
        assert_eq!(c.all().len(), 3);
        let w = c.get("wildix-2026", None).unwrap();
        let we = c.get("wildix-earlier", Some(1)).unwrap();
        let x = c.get("x-hoppers-2025", None).unwrap();
        assert_eq!(w.availability_commitment_ppm(), Ok(999_900));
        assert_eq!(we.availability_commitment_ppm(), Ok(999_800));
        assert_eq!(x.availability_commitment_ppm(), Ok(999_800));
        assert_eq!(
            (
                w.telephony.restoration_time_h,
                x.telephony.restoration_time_h
            ),
            (4, 8)
        );
        assert_eq!(x.billing.currency.as_deref(), Some("GBP"));
        assert_eq!(w.billing.currency, None);
        assert_eq!(x.late_interest_annual_bp(), Ok(1200));
        assert_eq!(w.late_interest_annual_bp(), Ok(0));
        assert_eq!(x.contract.cancellation_window_days, 30);
        assert!(x.support.direct_tiers.is_empty());
        assert_eq!(we.support.direct_tiers, ["platinum", "gold", "silver"]);
        assert_eq!(w.support.direct_tiers.len(), 6);
    }

    #[test]
    fn operator_profiles_load_from_a_directory_and_bad_ones_name_the_file() {
        let dir = std::env::temp_dir().join(format!("tg-terms-{}", crate::ids::new_id("t")));
        std::fs::create_dir_all(&dir).unwrap();
        let v2 = BUILTIN[0].1.replace("version = 1", "version = 2");
        std::fs::write(dir.join("wildix-2026-v2.toml"), v2).unwrap();
        let c = Catalog::builtin_and_dir(&dir).unwrap();
        assert_eq!(c.get("wildix-2026", None).unwrap().version, 2);
        assert_eq!(c.get("wildix-2026", Some(1)).unwrap().version, 1);
        std::fs::write(dir.join("broken.toml"), "id = 3").unwrap();
        let e = Catalog::builtin_and_dir(&dir).err().unwrap();
        assert!(e.file.ends_with("broken.toml"), "{e}");
        assert!(Catalog::builtin_and_dir(&dir.join("missing")).is_ok());
    }

    #[test]
    fn duplicate_versions_are_refused() {
        let t = BUILTIN[0].1.to_string();
        let e = Catalog::from_texts([("a.toml".into(), t.clone()), ("b.toml".into(), t)])
            .err()
            .unwrap();
        assert_eq!((e.file.as_str(), e.key.as_str()), ("b.toml", "version"));
    }
}
