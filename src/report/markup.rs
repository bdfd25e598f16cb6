//! A minimal XML tokenizer for the MathML the report inlines (figures come
//! inline-ready from the plot stage and are not read back).
//!
//! Not a validating parser: it splits markup into tags and text so the report can
//! rewrite attributes and refuse what must not reach the page, without a new dependency.

use std::borrow::Cow;

/// One piece of markup, borrowing from the input.
#[derive(Debug, Clone, PartialEq)]
pub enum Token<'a> {
    Text(&'a str),
    /// `<!-- ... -->`, whole.
    Comment(&'a str),
    /// `<?xml ...?>` or `<!DOCTYPE ...>`, whole.
    Declaration(&'a str),
    /// `<![CDATA[ ... ]]>`, whole.
    CData(&'a str),
    Start(StartTag<'a>),
    /// The name of a closing tag.
    End(&'a str),
}

#[derive(Debug, Clone, PartialEq)]
pub struct StartTag<'a> {
    pub name: &'a str,
    pub attrs: Vec<Attr<'a>>,
    pub self_closing: bool,
}

/// An attribute with its value as written (entities not decoded) and its quote.
#[derive(Debug, Clone, PartialEq)]
pub struct Attr<'a> {
    pub name: &'a str,
    /// Borrowed as parsed; owned once rewritten.
    pub value: Cow<'a, str>,
    pub quote: char,
}

/// Split `input` into tokens; unterminated constructs are errors.
pub fn tokenize(input: &str) -> Result<Vec<Token<'_>>, String> {
    let mut tokens = Vec::new();
    let mut rest = input;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            tokens.push(Token::Text(rest));
            break;
        };
        if lt > 0 {
            tokens.push(Token::Text(&rest[..lt]));
            rest = &rest[lt..];
        }
        let (token, len) = if rest.starts_with("<!--") {
            let len = until(rest, "-->", "comment")?;
            (Token::Comment(&rest[..len]), len)
        } else if rest.starts_with("<![CDATA[") {
            let len = until(rest, "]]>", "CDATA section")?;
            (Token::CData(&rest[..len]), len)
        } else if rest.starts_with("<?") {
            let len = until(rest, "?>", "declaration")?;
            (Token::Declaration(&rest[..len]), len)
        } else if rest.starts_with("<!") {
            let len = doctype_len(rest)?;
            (Token::Declaration(&rest[..len]), len)
        } else if let Some(after) = rest.strip_prefix("</") {
            let len = until(rest, ">", "closing tag")?;
            (Token::End(after[..len - 3].trim()), len)
        } else {
            start_tag(rest)?
        };
        tokens.push(token);
        rest = &rest[len..];
    }
    Ok(tokens)
}

/// Length up to and including `end`.
fn until(s: &str, end: &str, what: &str) -> Result<usize, String> {
    s.find(end)
        .map(|i| i + end.len())
        .ok_or_else(|| format!("unterminated {what}"))
}

/// `<!DOCTYPE ...>` may hold an internal subset in brackets with `>` inside.
fn doctype_len(s: &str) -> Result<usize, String> {
    let mut depth = 0usize;
    for (i, c) in s.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '>' if depth == 0 => return Ok(i + 1),
            _ => {}
        }
    }
    Err("unterminated declaration".into())
}

fn start_tag(s: &str) -> Result<(Token<'_>, usize), String> {
    let bytes = s.as_bytes();
    let is_name_end = |b: u8| b.is_ascii_whitespace() || b == b'>' || b == b'/';
    let mut i = 1;
    while i < bytes.len() && !is_name_end(bytes[i]) {
        i += 1;
    }
    let name = &s[1..i];
    if name.is_empty() {
        return Err("empty tag name".into());
    }
    let mut attrs = Vec::new();
    loop {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        match bytes.get(i) {
            None => return Err(format!("unterminated tag <{name}>")),
            Some(b'>') => {
                let tag = StartTag {
                    name,
                    attrs,
                    self_closing: false,
                };
                return Ok((Token::Start(tag), i + 1));
            }
            Some(b'/') if bytes.get(i + 1) == Some(&b'>') => {
                let tag = StartTag {
                    name,
                    attrs,
                    self_closing: true,
                };
                return Ok((Token::Start(tag), i + 2));
            }
            Some(_) => {}
        }
        let name_start = i;
        while i < bytes.len() && !is_name_end(bytes[i]) && bytes[i] != b'=' {
            i += 1;
        }
        let attr_name = &s[name_start..i];
        if attr_name.is_empty() {
            return Err(format!("malformed attribute in <{name}>"));
        }
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if bytes.get(i) != Some(&b'=') {
            // XML has no bare attributes; keep it as `name=""` so it is written back well-formed.
            attrs.push(Attr {
                name: attr_name,
                value: Cow::Borrowed(""),
                quote: '"',
            });
            continue;
        }
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let quote = match bytes.get(i) {
            Some(&q @ (b'"' | b'\'')) => q,
            _ => return Err(format!("unquoted value of {attr_name} in <{name}>")),
        };
        let value_start = i + 1;
        let value_len = s[value_start..]
            .find(quote as char)
            .ok_or_else(|| format!("unterminated value of {attr_name} in <{name}>"))?;
        let value = &s[value_start..value_start + value_len];
        attrs.push(Attr {
            name: attr_name,
            value: Cow::Borrowed(value),
            quote: quote as char,
        });
        i = value_start + value_len + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_tags_text_and_declarations() {
        let tokens = tokenize(
            "<?xml version=\"1.0\"?><!DOCTYPE svg [<!ENTITY a \"b>\">]><svg a='1' b=\"x>y\"><!-- c --><g/>t</svg>",
        )
        .unwrap();
        assert!(matches!(tokens[0], Token::Declaration(d) if d.starts_with("<?xml")));
        assert!(matches!(tokens[1], Token::Declaration(d) if d.ends_with("]>")));
        let Token::Start(svg) = &tokens[2] else {
            panic!("{tokens:?}")
        };
        assert_eq!(svg.name, "svg");
        assert_eq!(svg.attrs[1].value, "x>y");
        assert_eq!(svg.attrs[0].quote, '\'');
        assert!(matches!(tokens[3], Token::Comment(_)));
        assert!(matches!(&tokens[4], Token::Start(g) if g.self_closing));
        assert_eq!(tokens[5], Token::Text("t"));
        assert_eq!(tokens[6], Token::End("svg"));
    }

    #[test]
    fn unterminated_markup_is_an_error() {
        assert!(tokenize("<svg a=\"1>").is_err());
        assert!(tokenize("<!-- x").is_err());
    }
}
