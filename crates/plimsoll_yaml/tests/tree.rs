use plimsoll_yaml::{Limits, Scalar, SourceFile, parse};

fn load(text: &str) -> plimsoll_yaml::YamlFile {
    parse(SourceFile::new("t.yaml", text), &Limits::default())
}

fn pos(f: &plimsoll_yaml::YamlFile, off: u32) -> (u32, u32) {
    let lc = f.source.line_col(off);
    (lc.line, lc.column)
}

#[test]
fn keys_and_values_know_their_positions() {
    let f = load(
        "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: a\n      image: nginx:latest\n",
    );
    assert!(f.errors.is_empty(), "{:?}", f.errors);
    let root = f.node(f.documents[0].root.unwrap());
    let image = root
        .path(&["spec", "containers"])
        .unwrap()
        .items()
        .next()
        .unwrap()
        .get("image")
        .unwrap();
    assert_eq!(image.as_str(), Some("nginx:latest"));
    assert_eq!(pos(&f, image.key_span().unwrap().start), (6, 7));
    assert_eq!(pos(&f, image.span().start), (6, 14));
    assert_eq!(f.source.slice(image.key_span().unwrap()), "image");
}

#[test]
fn multibyte_text_before_a_key_gives_character_columns_and_byte_spans() {
    let f = load("a: {name: \"ß\", image: alpine}\n");
    let root = f.node(f.documents[0].root.unwrap());
    let image = root.path(&["a", "image"]).unwrap();
    let ks = image.key_span().unwrap();
    assert_eq!(f.source.slice(ks), "image");
    assert_eq!(pos(&f, ks.start), (1, 16));
}

#[test]
fn multiple_documents_and_empty_ones() {
    let f = load("---\na: 1\n---\n---\nb: 2\n...\n");
    assert_eq!(f.documents.len(), 3);
    assert!(f.documents[1].root.is_none() || f.node(f.documents[1].root.unwrap()).is_null());
    let b = f.node(f.documents[2].root.unwrap()).get("b").unwrap();
    assert_eq!(b.as_i64(), Some(2));
}

#[test]
fn anchors_aliases_and_merge_keys() {
    let f = load(
        "base: &b\n  cpu: 100m\n  memory: 1Gi\nlimits:\n  <<: *b\n  memory: 2Gi\nother: *b\nmulti:\n  <<: [*b, {extra: 1}]\n",
    );
    assert!(f.errors.is_empty(), "{:?}", f.errors);
    let root = f.node(f.documents[0].root.unwrap());
    let limits = root.get("limits").unwrap();
    assert_eq!(limits.get_str("cpu"), Some("100m"));
    assert_eq!(limits.get_str("memory"), Some("2Gi"));
    assert!(limits.get("<<").is_none());
    assert_eq!(limits.len(), 2);
    assert_eq!(
        root.path(&["other", "memory"]).unwrap().as_str(),
        Some("1Gi")
    );
    assert_eq!(root.path(&["multi", "extra"]).unwrap().as_i64(), Some(1));
    assert_eq!(root.path(&["multi", "cpu"]).unwrap().as_str(), Some("100m"));
    // a merged key points at where it was defined
    let cpu = limits.get("cpu").unwrap();
    assert_eq!(pos(&f, cpu.key_span().unwrap().start), (2, 3));
}

#[test]
fn duplicate_keys_are_kept_reported_and_last_wins() {
    let f = load("a: 1\nb: 2\na: 3\n");
    assert!(f.errors.is_empty());
    let d = &f.documents[0];
    assert_eq!(d.duplicates.len(), 1);
    assert_eq!(d.duplicates[0].key, "a");
    assert_eq!(pos(&f, d.duplicates[0].duplicate.start), (3, 1));
    let root = f.node(d.root.unwrap());
    assert_eq!(root.get("a").unwrap().as_i64(), Some(3));
    assert_eq!(root.entries().count(), 3);
}

#[test]
fn kubernetes_scalar_typing() {
    let f = load("a: yes\nb: \"yes\"\nc: 0777\nd: !!str 12\ne: ~\n");
    let r = f.node(f.documents[0].root.unwrap());
    assert_eq!(r.get("a").unwrap().scalar(), Some(Scalar::Bool(true)));
    assert_eq!(r.get("b").unwrap().scalar(), Some(Scalar::Str("yes")));
    assert_eq!(r.get("c").unwrap().scalar(), Some(Scalar::Int(511)));
    assert_eq!(r.get("d").unwrap().scalar(), Some(Scalar::Str("12")));
    assert!(r.get("e").unwrap().is_null());
    assert_eq!(r.get_str("e"), None);
}

#[test]
fn json_parses_with_positions() {
    let f = load(
        "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Service\",\n  \"spec\": {\"type\": \"NodePort\"}\n}\n",
    );
    assert!(f.errors.is_empty(), "{:?}", f.errors);
    let r = f.node(f.documents[0].root.unwrap());
    let t = r.path(&["spec", "type"]).unwrap();
    assert_eq!(t.as_str(), Some("NodePort"));
    // a quoted key's span starts at its opening quote
    assert_eq!(pos(&f, t.key_span().unwrap().start), (4, 12));
}

#[test]
fn yaml_bomb_is_bounded_and_reported() {
    let mut s = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["b", "c", "d", "e", "f", "g", "h", "i"];
    let mut prev = "a";
    for n in names {
        s.push_str(&format!(
            "{n}: &{n} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
        prev = n;
    }
    let f = load(&s);
    assert!(
        f.node_count() < 200,
        "aliases must share nodes, built {}",
        f.node_count()
    );
    assert_eq!(f.errors.len(), 1);
    assert!(
        f.errors[0].message.contains("YAML bomb"),
        "{}",
        f.errors[0].message
    );
    assert!(f.documents[0].root.is_none());
}

#[test]
fn oversized_file_is_refused_not_parsed() {
    let limits = Limits {
        max_bytes: 1000,
        ..Limits::default()
    };
    let f = parse(SourceFile::new("big.yaml", "a: b\n".repeat(1000)), &limits);
    assert_eq!(f.documents.len(), 0);
    assert!(f.errors[0].message.contains("limit"));
}

#[test]
fn a_syntax_error_keeps_earlier_documents_and_reports_position() {
    let f = load("a: 1\n---\nb: [1, 2\nc: 3\n");
    assert_eq!(f.errors.len(), 1);
    assert!(f.documents[0].root.is_some());
    let lc = f.source.line_col(f.errors[0].offset);
    assert!(lc.line >= 3, "{lc:?}");
}

#[test]
fn block_scalars_and_quoted_escapes() {
    let f = load("a: |\n  line1\n  line2\nb: \"x\\ty\"\n");
    let r = f.node(f.documents[0].root.unwrap());
    assert_eq!(r.get_str("a"), Some("line1\nline2\n"));
    assert_eq!(r.get_str("b"), Some("x\ty"));
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn arbitrary_text_never_panics(s in "\\PC*") {
            let f = load(&s);
            for (_, r) in f.roots() { let _ = r.entries().count(); }
            for e in &f.errors { let _ = f.source.line_col(e.offset); }
        }

        #[test]
        fn yamlish_text_never_panics(s in "([a-z<>*&!|>\\-:\\[\\]{},'\"# \n\t]|  |ß|😀){0,200}") {
            let f = load(&s);
            for (_, r) in f.roots() {
                for (k, v) in r.entries() { let _ = (k.text(), v.scalar(), v.anchor()); }
            }
        }

        #[test]
        fn arbitrary_bytes_lossy_never_panic(b in proptest::collection::vec(any::<u8>(), 0..400)) {
            let s = String::from_utf8_lossy(&b).into_owned();
            let _ = load(&s);
        }
    }
}
