"""Built-in scenarios, one execution pattern per module (installed as ``loopdoctor.scenarios``)."""
