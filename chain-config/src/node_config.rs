//! Node configuration: the overlays in `templates/` (only the keys we set) are merged into the config.toml and
//! app.toml that `edgemintd init` writes, so every other default and comment of the pinned node version stays.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use toml_edit::{DocumentMut, Item};

pub const CONFIG_OVERLAY: &str = include_str!("../templates/config.toml");
pub const APP_OVERLAY: &str = include_str!("../templates/app.toml");

/// Fills `{{name}}` placeholders; an unknown placeholder is an error so a template typo cannot ship.
pub fn render(template: &str, vars: &BTreeMap<&str, String>) -> Result<String> {
    let mut out = template.to_string();
    for (k, v) in vars {
        out = out.replace(&format!("{{{{{k}}}}}"), v);
    }
    if let Some(start) = out.find("{{") {
        let name: String = out[start..].chars().take_while(|c| *c != '\n').collect();
        anyhow::bail!("template placeholder {name} has no value");
    }
    Ok(out)
}

/// Merges `overlay` into `base`: tables recursively, values replaced.
pub fn merge(base: &str, overlay: &str) -> Result<String> {
    let mut doc: DocumentMut = base.parse().context("node config is not valid TOML")?;
    let over: DocumentMut = overlay.parse().context("overlay is not valid TOML")?;
    merge_table(doc.as_table_mut(), over.as_table());
    Ok(doc.to_string())
}

fn merge_table(base: &mut toml_edit::Table, over: &toml_edit::Table) {
    for (key, item) in over.iter() {
        match (base.get_mut(key), item) {
            (Some(Item::Table(b)), Item::Table(o)) => merge_table(b, o),
            (Some(existing), Item::Value(v)) => {
                // Keep the original line's decor (comments) while replacing the value.
                let decor = existing.as_value().map(|e| e.decor().clone());
                let mut v = v.clone();
                if let Some(d) = decor {
                    *v.decor_mut() = d;
                }
                *existing = Item::Value(v);
            }
            _ => {
                base.insert(key, item.clone());
            }
        }
    }
}

/// Renders both overlays with `vars` and merges them into `<home>/config/{config,app}.toml`.
pub fn apply(home: &Path, vars: &BTreeMap<&str, String>) -> Result<()> {
    for (file, overlay) in [("config.toml", CONFIG_OVERLAY), ("app.toml", APP_OVERLAY)] {
        let path = home.join("config").join(file);
        let base = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        let merged = merge(&base, &render(overlay, vars)?)?;
        std::fs::write(&path, merged).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_replaces_values_and_keeps_comments() {
        let base = "# top\nmoniker = \"x\"\n\n[rpc]\n# the address\nladdr = \"tcp://0.0.0.0:26657\"\nother = 1\n";
        let out = merge(base, "moniker = \"n0\"\n[rpc]\nladdr = \"tcp://127.0.0.1:5\"\n").unwrap();
        assert!(out.contains("# the address\nladdr = \"tcp://127.0.0.1:5\""), "{out}");
        assert!(out.contains("other = 1") && out.contains("moniker = \"n0\""));
    }

    #[test]
    fn render_refuses_missing_placeholders() {
        let mut vars = BTreeMap::new();
        vars.insert("a", "1".to_string());
        assert_eq!(render("x = {{a}}", &vars).unwrap(), "x = 1");
        assert!(render("x = {{b}}", &vars).unwrap_err().to_string().contains("{{b}}"));
    }

    #[test]
    fn templates_bind_loopback_only() {
        for t in [CONFIG_OVERLAY, APP_OVERLAY] {
            for line in t.lines().filter(|l| l.contains("laddr") || l.contains("address")) {
                if line.contains("{{") {
                    assert!(line.contains("127.0.0.1"), "{line}");
                }
            }
        }
    }
}
