const N=128,H=28,W=28,C=32,OH=14,OW=14,s=2,K=3,pt=0;
const x = new Float32Array(N*H*W*C).fill(1); const P=N*OH*OW; const chunk=2048;
const out = new Float32Array(K*K*C*chunk);
function v1(first: number) { for (let kh=0;kh<K;kh++) for (let kw=0;kw<K;kw++){ const rowStart=(kh*K+kw)*C*chunk; let n=Math.floor(first/(OH*OW)),y=Math.floor(first/OW)%OH,xo=first%OW;
  for (let q=0;q<chunk;q++){ const row=y*s+kh-pt,col=xo*s+kw-pt; const t=rowStart+q; if(row<0||row>=H||col<0||col>=W){for(let i=0;i<C;i++)out[t+i*chunk]=0;} else {const src=((n*H+row)*W+col)*C; for(let i=0;i<C;i++) out[t+i*chunk]=x[src+i]!;}
  if(++xo===OW){xo=0;if(++y===OH){y=0;n++;}}}}}
const offs=new Int32Array(64);
function v2(first: number) { for (let kh=0;kh<K;kh++) for (let kw=0;kw<K;kw++){ const rowStart=(kh*K+kw)*C*chunk; let n=Math.floor(first/(OH*OW)),y=Math.floor(first/OW)%OH,xo=first%OW;
  for (let ts=0;ts<chunk;ts+=64){ const tp=Math.min(64,chunk-ts); for(let t=0;t<tp;t++){const row=y*s+kh-pt,col=xo*s+kw-pt; offs[t]=(row>=0&&row<H&&col>=0&&col<W)?((n*H+row)*W+col)*C:-1; if(++xo===OW){xo=0;if(++y===OH){y=0;n++;}}}
   for(let i=0;i<C;i++){const tg=rowStart+i*chunk+ts; for(let t=0;t<tp;t++){const so=offs[t]!; out[tg+t]= so<0?0:x[so+i]!;}}}}}
for (const [name,f] of [['v1',v1],['v2',v2],['v1',v1],['v2',v2]] as const){ const c=process.cpuUsage(); for(let f0=0;f0<P;f0+=chunk) if (f0+chunk<=P) f(f0); const u=process.cpuUsage(c); console.log(name, ((u.user+u.system)/1000).toFixed(1),'ms'); }
