//! The playground's logic that needs no browser: the session (a world plus the user's requests),
//! the editor's checks, the cluster map's geometry and pixels, the charts' series and the saved document.
//! It builds and is tested natively; the components in `ui` draw it.

pub mod cards;
pub mod charts;
pub mod editor;
pub mod embed;
pub mod forms;
pub mod log_view;
pub mod map;
pub mod map_paint;
pub mod raster;
pub mod roles;
pub mod saved;
pub mod scaling;
pub mod session;
pub mod share;
