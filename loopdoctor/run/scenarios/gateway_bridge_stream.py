"""The gateway bridge, with streamed completions."""

from loopdoctor.run.scenarios.gateway_bridge import scenario as unstreamed

scenario = unstreamed.streaming()
