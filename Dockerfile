# Builds on Debian 12 with only a Debian mirror and an npm mirror, like the bare-metal install.
FROM node:20-bookworm
WORKDIR /app
COPY . .
RUN node scripts/setup.mjs start
# docker-compose's "turn" profile builds this image with Debian's coturn added (WITH_TURN=1).
ARG WITH_TURN=0
RUN if [ "$WITH_TURN" = 1 ]; then node scripts/setup.mjs turn; fi
ENV NODE_ENV=production
EXPOSE 3000/tcp 40000-40199/udp
CMD ["node", "signaling/dist/main.js"]
