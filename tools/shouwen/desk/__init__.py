"""The local desk page and the window rating pad (`shouwen desk`), over the same library and writer."""
