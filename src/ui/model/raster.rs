//! A pixel buffer for the cluster map: axis-aligned rectangles, filled or framed, opaque or
//! blended, written straight into RGBA bytes that the canvas takes in one `putImageData`.
//!
//! Why not the canvas's own `fillRect`: the map is thousands of small rectangles, and where the
//! canvas is rasterized in software (headless Chromium, machines without a GPU canvas) each call
//! costs far more than writing its few pixels here; one copy of the whole buffer costs less than
//! a thousand calls. Text stays with the canvas, drawn over the buffer once it is put.
//!
//! Coordinates are CSS pixels; the buffer holds `scale` device pixels per CSS pixel, and every
//! edge is rounded to a device pixel, so rectangles are crisp and never blurred by anti-aliasing.

/// An opaque colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Colour {
    pub r: u8,
    pub g: u8,
    pub b: u8,
}

impl Colour {
    /// From `0xRRGGBB`.
    pub const fn hex(rgb: u32) -> Colour {
        Colour {
            r: (rgb >> 16) as u8,
            g: (rgb >> 8) as u8,
            b: rgb as u8,
        }
    }

    /// The pixel as the buffer stores it: the bytes R, G, B, A in memory order, whatever the
    /// machine's endianness, as `ImageData` reads them.
    fn pixel(self) -> u32 {
        u32::from_ne_bytes([self.r, self.g, self.b, u8::MAX])
    }

    fn of_pixel(pixel: u32) -> Colour {
        let [r, g, b, _] = pixel.to_ne_bytes();
        Colour { r, g, b }
    }

    /// `self` over `under` at opacity `alpha` (0 to 1).
    pub fn over(self, under: Colour, alpha: f64) -> Colour {
        let a = (alpha.clamp(0.0, 1.0) * 255.0).round() as u32;
        let mix = |top: u8, bottom: u8| {
            ((u32::from(top) * a + u32::from(bottom) * (255 - a) + 127) / 255) as u8
        };
        Colour {
            r: mix(self.r, under.r),
            g: mix(self.g, under.g),
            b: mix(self.b, under.b),
        }
    }
}

/// As CSS writes it: `#rrggbb`.
impl std::fmt::Display for Colour {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
    }
}

/// A device-pixel rectangle, clipped to the buffer: columns `x0..x1`, rows `y0..y1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    x0: usize,
    x1: usize,
    y0: usize,
    y1: usize,
}

/// The buffer: `width` x `height` device pixels, row by row.
#[derive(Debug, Default)]
pub struct Raster {
    width: usize,
    height: usize,
    scale: f64,
    pixels: Vec<u32>,
}

impl Raster {
    /// Sizes the buffer for `css_w` x `css_h` CSS pixels at `scale` device pixels each, keeping
    /// its allocation when it does not grow. The contents are left as they were: clear them.
    pub fn resize(&mut self, css_w: f64, css_h: f64, scale: f64) {
        self.scale = scale.max(f64::MIN_POSITIVE);
        self.width = (css_w * scale).round().max(0.0) as usize;
        self.height = (css_h * scale).round().max(0.0) as usize;
        self.pixels.resize(self.width * self.height, 0);
    }

    pub fn width(&self) -> usize {
        self.width
    }

    pub fn height(&self) -> usize {
        self.height
    }

    pub fn scale(&self) -> f64 {
        self.scale
    }

    /// Every pixel to `colour`.
    pub fn clear(&mut self, colour: Colour) {
        self.pixels.fill(colour.pixel());
    }

    /// The pixels as RGBA bytes, row by row, as `ImageData` takes them.
    pub fn rgba(&self) -> &[u8] {
        // SAFETY: u32 has no padding and u8 no alignment requirement, so the pixels' memory read
        // as four times as many bytes is valid for as long as the borrow of `self`.
        unsafe {
            std::slice::from_raw_parts(self.pixels.as_ptr().cast::<u8>(), self.pixels.len() * 4)
        }
    }

    /// The colour at a CSS point (for tests and hit checks); None outside the buffer.
    pub fn colour_at(&self, x: f64, y: f64) -> Option<Colour> {
        let (px, py) = ((x * self.scale).floor(), (y * self.scale).floor());
        if px < 0.0 || py < 0.0 || px as usize >= self.width || py as usize >= self.height {
            return None;
        }
        Some(Colour::of_pixel(
            self.pixels[py as usize * self.width + px as usize],
        ))
    }

    fn span(&self, x: f64, y: f64, w: f64, h: f64) -> Option<Span> {
        let edge = |v: f64, max: usize| ((v * self.scale).round().max(0.0) as usize).min(max);
        let span = Span {
            x0: edge(x, self.width),
            x1: edge(x + w, self.width),
            y0: edge(y, self.height),
            y1: edge(y + h, self.height),
        };
        (span.x0 < span.x1 && span.y0 < span.y1).then_some(span)
    }

    fn fill_span(&mut self, s: Span, colour: Colour) {
        let pixel = colour.pixel();
        for row in s.y0..s.y1 {
            let start = row * self.width;
            self.pixels[start + s.x0..start + s.x1].fill(pixel);
        }
    }

    fn blend_span(&mut self, s: Span, colour: Colour, alpha: f64) {
        for row in s.y0..s.y1 {
            let start = row * self.width;
            for p in &mut self.pixels[start + s.x0..start + s.x1] {
                *p = colour.over(Colour::of_pixel(*p), alpha).pixel();
            }
        }
    }

    /// Fills a rectangle.
    pub fn fill_rect(&mut self, x: f64, y: f64, w: f64, h: f64, colour: Colour) {
        if let Some(s) = self.span(x, y, w, h) {
            self.fill_span(s, colour);
        }
    }

    /// Fills a rectangle at opacity `alpha` over what is there.
    pub fn fill_rect_alpha(&mut self, x: f64, y: f64, w: f64, h: f64, colour: Colour, alpha: f64) {
        match self.span(x, y, w, h) {
            Some(s) if alpha >= 1.0 => self.fill_span(s, colour),
            Some(s) if alpha > 0.0 => self.blend_span(s, colour, alpha),
            _ => {}
        }
    }

    /// A border `thickness` CSS pixels wide just inside the rectangle (at least one device
    /// pixel), solid or, with `dash` = (on, off) in CSS pixels, dashed along each edge.
    #[allow(clippy::too_many_arguments)]
    pub fn frame_rect(
        &mut self,
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        thickness: f64,
        colour: Colour,
        dash: Option<(f64, f64)>,
    ) {
        let Some(s) = self.span(x, y, w, h) else {
            return;
        };
        let t = ((thickness * self.scale).round() as usize).max(1);
        let tx = t.min(s.x1 - s.x0);
        let ty = t.min(s.y1 - s.y0);
        let dash = dash.map(|(on, off)| {
            let px = |v: f64| ((v * self.scale).round() as usize).max(1);
            (px(on), px(off))
        });
        // Top and bottom edges run along x, left and right along y.
        for (x0, x1, y0, y1) in [(s.x0, s.x1, s.y0, s.y0 + ty), (s.x0, s.x1, s.y1 - ty, s.y1)] {
            for (a, b) in dashes(x0, x1, dash) {
                self.fill_span(
                    Span {
                        x0: a,
                        x1: b,
                        y0,
                        y1,
                    },
                    colour,
                );
            }
        }
        for (x0, x1) in [(s.x0, s.x0 + tx), (s.x1 - tx, s.x1)] {
            for (a, b) in dashes(s.y0, s.y1, dash) {
                self.fill_span(
                    Span {
                        x0,
                        x1,
                        y0: a,
                        y1: b,
                    },
                    colour,
                );
            }
        }
    }
}

/// The drawn pieces of `start..end`: all of it, or the "on" runs of a dash pattern from `start`.
fn dashes(
    start: usize,
    end: usize,
    dash: Option<(usize, usize)>,
) -> impl Iterator<Item = (usize, usize)> {
    let (on, off) = dash.unwrap_or((end.saturating_sub(start).max(1), 0));
    (start..end)
        .step_by(on + off)
        .map(move |a| (a, (a + on).min(end)))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RED: Colour = Colour::hex(0xd91515);
    const WHITE: Colour = Colour::hex(0xffffff);

    fn raster(w: f64, h: f64, scale: f64) -> Raster {
        let mut r = Raster::default();
        r.resize(w, h, scale);
        r.clear(WHITE);
        r
    }

    #[test]
    fn a_filled_rectangle_covers_exactly_its_pixels() {
        let mut r = raster(10.0, 10.0, 1.0);
        r.fill_rect(2.0, 3.0, 4.0, 2.0, RED);
        assert_eq!(r.colour_at(2.0, 3.0), Some(RED));
        assert_eq!(r.colour_at(5.9, 4.9), Some(RED));
        assert_eq!(
            r.colour_at(6.0, 4.0),
            Some(WHITE),
            "right edge is exclusive"
        );
        assert_eq!(
            r.colour_at(3.0, 5.0),
            Some(WHITE),
            "bottom edge is exclusive"
        );
        assert_eq!(r.colour_at(1.9, 3.0), Some(WHITE));
        let red = r
            .rgba()
            .chunks(4)
            .filter(|p| p == &[0xd9, 0x15, 0x15, 255])
            .count();
        assert_eq!(red, 8);
    }

    #[test]
    fn scale_multiplies_device_pixels_and_clips_at_the_edges() {
        let mut r = raster(10.0, 5.0, 2.0);
        assert_eq!((r.width(), r.height()), (20, 10));
        r.fill_rect(8.0, 4.0, 5.0, 5.0, RED);
        assert_eq!(r.colour_at(9.75, 4.75), Some(RED));
        assert_eq!(r.colour_at(10.0, 4.0), None);
        let red = r
            .rgba()
            .chunks(4)
            .filter(|p| p[3] == 255 && p[0] == 0xd9)
            .count();
        assert_eq!(red, 4 * 2, "a 2x1 CSS-pixel corner at scale 2");
    }

    #[test]
    fn alpha_blends_over_what_is_there() {
        let mut r = raster(4.0, 4.0, 1.0);
        r.fill_rect_alpha(0.0, 0.0, 4.0, 4.0, Colour::hex(0x000000), 0.5);
        // Opacity 0.5 is 128/255: black over white leaves 127 of 255.
        assert_eq!(r.colour_at(1.0, 1.0), Some(Colour::hex(0x7f7f7f)));
        r.fill_rect_alpha(0.0, 0.0, 4.0, 4.0, RED, 0.0);
        assert_eq!(
            r.colour_at(1.0, 1.0),
            Some(Colour::hex(0x7f7f7f)),
            "alpha 0 draws nothing"
        );
        r.fill_rect_alpha(0.0, 0.0, 4.0, 4.0, RED, 1.0);
        assert_eq!(r.colour_at(1.0, 1.0), Some(RED));
    }

    #[test]
    fn a_frame_is_inside_the_rectangle_and_leaves_the_middle() {
        let mut r = raster(10.0, 10.0, 1.0);
        r.frame_rect(1.0, 1.0, 6.0, 5.0, 1.0, RED, None);
        for (x, y) in [
            (1.0, 1.0),
            (6.0, 1.0),
            (1.0, 5.0),
            (6.0, 5.0),
            (3.0, 1.0),
            (1.0, 3.0),
        ] {
            assert_eq!(r.colour_at(x, y), Some(RED), "border at ({x}, {y})");
        }
        for (x, y) in [(2.0, 2.0), (5.0, 4.0), (0.0, 0.0), (7.0, 3.0), (3.0, 6.0)] {
            assert_eq!(r.colour_at(x, y), Some(WHITE), "not border at ({x}, {y})");
        }
    }

    #[test]
    fn a_dashed_frame_alternates_on_and_off_along_each_edge() {
        let mut r = raster(20.0, 10.0, 1.0);
        r.frame_rect(0.0, 0.0, 20.0, 10.0, 1.0, RED, Some((4.0, 3.0)));
        let top: String = (0..20)
            .map(|x| {
                if r.colour_at(f64::from(x), 0.0) == Some(RED) {
                    '#'
                } else {
                    '.'
                }
            })
            .collect();
        // The last column is the right edge, whose own dashes start on at the top.
        assert_eq!(top, "####...####...####.#");
        assert_eq!(
            r.colour_at(0.0, 5.0),
            Some(WHITE),
            "left edge: rows 4 to 6 are off"
        );
        assert_eq!(r.colour_at(0.0, 7.0), Some(RED), "and rows 7 to 9 on");
    }

    #[test]
    fn colours_read_and_write_as_css_hex() {
        assert_eq!(Colour::hex(0x0972d3).to_string(), "#0972d3");
        assert_eq!(
            Colour::hex(0x0972d3),
            Colour {
                r: 0x09,
                g: 0x72,
                b: 0xd3
            }
        );
    }
}
