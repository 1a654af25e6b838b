# Re-exports whichever httpx the installed SDK uses: a client made from it is the same
# loop-bound client, whatever the module is called.
try:
    import httpx2 as httpx
except ImportError:
    import httpx

__all__ = ["httpx"]
