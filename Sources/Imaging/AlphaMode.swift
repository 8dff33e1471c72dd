/// How a decoder turns transparent pixels into RGB.
public enum AlphaMode: String, Sendable, Equatable, CaseIterable {
    /// Over a white background (the default: clip art and icons are drawn for a white page).
    case compositeWhite = "composite-white"
    /// Over a black background.
    case compositeBlack = "composite-black"
    /// Ignore alpha and keep the stored colours: what PIL's `convert('RGB')` does, and so what
    /// transformers' `CLIPImageProcessor` feeds CLIP. Transparent pixels often store black or junk.
    case drop

    /// The C row kernel's mode (`ccodecs_flatten_alpha_row`); 0 for composite-white, which the
    /// reducer does itself.
    var kernelMode: Int32 {
        switch self {
        case .compositeWhite: 0
        case .drop: 1
        case .compositeBlack: 2
        }
    }
}
