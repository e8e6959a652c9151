// screenshot-desktop ships no types: the part of its API the screenshot adapter uses.
declare module 'screenshot-desktop' {
  interface ScreenshotOptions {
    format?: 'png' | 'jpg';
    screen?: string | number;
    linuxLibrary?: 'imagemagick' | 'scrot';
  }
  interface Display {
    id: string | number;
    name: string;
    width?: number;
    height?: number;
    primary?: boolean;
    /** X11 (xrandr): the display's area in the root window, `WxH+X+Y`. */
    crop?: string;
  }
  function screenshot(options?: ScreenshotOptions): Promise<Buffer>;
  namespace screenshot {
    function listDisplays(): Promise<Display[]>;
    /** One image per display, in listDisplays() order. */
    function all(): Promise<Buffer[]>;
  }
  export = screenshot;
}
