/** Lets any part of the shell (the navbar's Search button, Ctrl+K) open the command palette. */
import { createContext, useContext } from "react";

export interface PaletteControl {
  open: () => void;
}

export const PaletteContext = createContext<PaletteControl>({ open: () => undefined });

export function useCommandPalette(): PaletteControl {
  return useContext(PaletteContext);
}
