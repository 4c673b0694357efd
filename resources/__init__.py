"""Files Backprop Studio ships (icons/, examples/, lessons/, datasets/); in the wheel this folder is the
package ``bpstudio.resources``. Read them through :mod:`bpstudio.assets`, never by path arithmetic."""
